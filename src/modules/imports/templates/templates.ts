import Papa from 'papaparse'
import {
  fieldInfo,
  importFields,
  type FieldGroup,
  type ImportField,
  type TemplateName,
} from '../../../contracts/imports.ts'

export { templateNames, type TemplateName } from '../../../contracts/imports.ts'

type Line = Partial<Record<ImportField, string>>

interface Template {
  fileName: string
  fields: ImportField[]
  lines: Line[]
}

// The columns of each part, in catalogue order (src/contracts/fields.ts).
const columnsOf = (...groups: FieldGroup[]): ImportField[] =>
  importFields.filter((field) => groups.includes(fieldInfo[field].group))
const customerColumns = columnsOf('customer', 'group')
const assignmentColumns = columnsOf('assignment')
const contactColumns = columnsOf('contact')

// Phone numbers are written the national way: Excel reads a cell starting with "+" as a formula.
const helios: Line = {
  'customer.name': 'Groupe Hélios',
  'customer.externalId': 'HEL-000',
  'customer.accountingCode': '411HELIOS',
  'customer.vatNumber': 'FR58412345678',
  'customer.address': '12 rue de la République',
  'customer.postalCode': '69002',
  'customer.city': 'Lyon',
  'customer.country': 'France',
}
const heliosSud: Line = {
  'customer.name': 'Hélios Énergie Sud',
  'customer.externalId': 'HEL-013',
  'customer.accountingCode': '411HELSUD',
  'customer.vatNumber': 'FR72498765432',
  'customer.address': '45 quai de Rive-Neuve',
  'customer.postalCode': '13007',
  'customer.city': 'Marseille',
  'customer.country': 'France',
  'group.name': 'Groupe Hélios',
  'group.externalId': 'HEL-000',
}
const societeGenerale: Line = {
  'customer.name': 'Société Générale Démo',
  'customer.externalId': 'SGD-001',
  'customer.accountingCode': '411SGD',
  'customer.vatNumber': 'FR40123456789',
  'customer.address': '29 boulevard Haussmann',
  'customer.postalCode': '75009',
  'customer.city': 'Paris',
  'customer.country': 'France',
}
const muller: Line = {
  'customer.name': 'Müller & Söhne GmbH',
  'customer.externalId': 'MUS-204',
  'customer.accountingCode': '411MULLER',
  'customer.vatNumber': 'DE123456789',
  'customer.address': 'Friedrichstraße 68',
  'customer.postalCode': '10117',
  'customer.city': 'Berlin',
  'customer.country': 'Allemagne',
}
const sgdAccounting: Line = {
  'contact.email': 'helene.lefevre@example.com',
  'contact.firstName': 'Hélène',
  'contact.lastName': 'Lefèvre',
  'contact.phone': '01 42 14 20 00',
  'contact.externalId': 'CT-1001',
  'contact.role': 'Accounting',
  'contact.isMain': '1',
}
const sgdPurchaser: Line = {
  'contact.email': 'francois.noel@example.com',
  'contact.firstName': 'François',
  'contact.lastName': 'Noël',
  'contact.phone': '06 12 34 56 78',
  'contact.externalId': 'CT-1002',
  'contact.role': 'Purchaser',
}
const heliosTreasury: Line = {
  'contact.email': 'tresorerie.helios@example.com',
  'contact.firstName': 'Marc',
  'contact.lastName': 'Aubert',
  'contact.role': 'Payer',
  'contact.isMain': '1',
}
const heliosPayer: Line = {
  'contact.email': 'comptabilite@example.com',
  'contact.firstName': 'Zoé',
  'contact.lastName': 'Dubois-Périer',
  'contact.phone': '04 91 00 00 00',
  'contact.externalId': 'CT-2001',
  'contact.role': 'Payer',
  'contact.isMain': '1',
}
const mullerSales: Line = {
  'contact.email': 'jurgen.muller@example.com',
  'contact.firstName': 'Jürgen',
  'contact.lastName': 'Müller',
  'contact.phone': '030 1234567',
  'contact.role': 'Sales',
  'contact.isMain': '1',
}
// A customer's next contacts only repeat what finds the customer.
const sameCustomer = (line: Line): Line => ({
  'customer.name': line['customer.name'],
  'customer.externalId': line['customer.externalId'],
})
const assigned = (managers: string, workflow: string): Line => ({
  'assignment.accountManagers': managers,
  'assignment.workflow': workflow,
})

const templates: Record<TemplateName, Template> = {
  customers: {
    fileName: 'roster-import-customers.csv',
    fields: customerColumns,
    lines: [societeGenerale, helios, heliosSud, muller],
  },
  'customers-and-contacts': {
    fileName: 'roster-import-customers-and-contacts.csv',
    fields: [...customerColumns, ...contactColumns],
    lines: [
      { ...societeGenerale, ...sgdAccounting },
      { ...sameCustomer(societeGenerale), ...sgdPurchaser },
      { ...helios, ...heliosTreasury },
      { ...heliosSud, ...heliosPayer },
      { ...muller, ...mullerSales },
    ],
  },
  'account-managers-and-workflows': {
    fileName: 'roster-import-account-managers-and-workflows.csv',
    fields: ['customer.externalId', ...assignmentColumns],
    lines: [
      { 'customer.externalId': 'SGD-001', ...assigned('demo.manager@example.com', 'Standard') },
      {
        'customer.externalId': 'HEL-013',
        ...assigned('demo.manager@example.com, julie.martin@example.com', 'Grands comptes'),
      },
      { 'customer.externalId': 'MUS-204', ...assigned('demo.manager@example.com', 'Standard') },
    ],
  },
  all: {
    fileName: 'roster-import-all.csv',
    fields: [...customerColumns, ...assignmentColumns, ...contactColumns],
    lines: [
      {
        ...societeGenerale,
        ...assigned('demo.manager@example.com', 'Standard'),
        ...sgdAccounting,
      },
      { ...sameCustomer(societeGenerale), ...sgdPurchaser },
      {
        ...helios,
        ...assigned('julie.martin@example.com', 'Grands comptes'),
        ...heliosTreasury,
      },
      {
        ...heliosSud,
        ...assigned('demo.manager@example.com, julie.martin@example.com', 'Grands comptes'),
        ...heliosPayer,
      },
      { ...muller, ...assigned('demo.manager@example.com', 'Standard'), ...mullerSales },
    ],
  },
}

/** The fields a template's columns fill, in order. */
export const templateFields = (name: TemplateName): ImportField[] => [...templates[name].fields]

/**
 * A template as a CSV file. It is written for Excel, where most finance teams open it: a BOM so
 * accents show right, ";" because French Excel splits on it (the import reads ",", ";" and "|"),
 * and CRLF line endings.
 */
export function templateFile(name: TemplateName): {
  fileName: string
  contentType: 'text/csv; charset=utf-8'
  body: string
} {
  const { fileName, fields, lines } = templates[name]
  const csv = Papa.unparse(
    {
      // Each column under the name the app gives its field ("Customer ID", as everywhere).
      fields: fields.map((field) => fieldInfo[field].label),
      data: lines.map((line) => fields.map((field) => line[field] ?? '')),
    },
    { delimiter: ';', newline: '\r\n' },
  )
  return { fileName, contentType: 'text/csv; charset=utf-8', body: `\uFEFF${csv}\r\n` }
}
