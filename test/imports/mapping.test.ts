import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import { emailField } from '../../src/contracts/common.ts'
import { roleField } from '../../src/contracts/contacts.ts'
import {
  columnMapping,
  importFields,
  type ColumnMapping,
  type ImportField,
} from '../../src/contracts/imports.ts'
import { toCountryCode } from '../../src/contracts/country.ts'
import {
  checkMapping,
  fieldInfo,
  learnFromMapping,
  normalizeHeader,
  requiredFields,
  suggestMapping,
} from '../../src/modules/imports/mapping/index.ts'
import { synonyms } from '../../src/modules/imports/mapping/synonyms.ts'
import {
  templateFields,
  templateFile,
  templateNames,
} from '../../src/modules/imports/templates/templates.ts'
import { AppError } from '../../src/platform/errors.ts'

/** The header → field pairs of a suggestion, ignored columns left out. */
const suggested = (columns: string[], learned?: Map<string, ImportField | null>) => {
  const mapping = suggestMapping(columns, learned)
  return Object.fromEntries(
    columns.flatMap((header, i) => (mapping[i] ? [[header, mapping[i]]] : [])),
  )
}

const refusal = (columns: string[], mapping: ColumnMapping): AppError => {
  try {
    checkMapping(columns, mapping)
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('checkMapping accepted the mapping')
}

const parseTemplate = (body: string) => {
  expect(body.startsWith('\uFEFF')).toBe(true)
  const { data, errors, meta } = Papa.parse<string[]>(body.slice(1), { skipEmptyLines: true })
  expect(errors).toEqual([])
  expect(meta.delimiter).toBe(';')
  expect(meta.linebreak).toBe('\r\n')
  const [headers = [], ...lines] = data
  return { headers, lines }
}

describe('field catalogue', () => {
  it('labels the fields of the help article with its names, in its order', () => {
    // The article's fields; Roster may offer more, which this list does not need to name.
    const article = [
      'Customer name',
      'Customer ID',
      'Accounting code',
      'VAT number',
      'Address',
      'Postal code',
      'City',
      'Country',
      'Group name',
      'Group ID',
      'Account manager',
      'Workflow',
      'Contact email',
      'First name',
      'Family name',
      'Phone number',
      'Contact ID',
      'Role',
      'Main contact',
    ]
    const labels = importFields.map((field) => fieldInfo[field].label)
    expect(labels.filter((label) => article.includes(label))).toEqual(article)
  })

  it('gives each synonym to one field only', () => {
    const owner = new Map<string, ImportField>()
    const clashes: string[] = []
    for (const field of importFields) {
      const { headers, weak = [] } = synonyms[field]
      for (const header of [fieldInfo[field].label, ...headers, ...weak]) {
        const key = normalizeHeader(header)
        const other = owner.get(key)
        if (other && other !== field) clashes.push(`${header}: ${other} and ${field}`)
        owner.set(key, field)
      }
    }
    expect(clashes).toEqual([])
  })

  it('validates a mapping at the edge', () => {
    expect(columnMapping.parse(['customer.name', null])).toEqual(['customer.name', null])
    expect(columnMapping.safeParse(['customer.currency']).success).toBe(false)
  })
})

describe('templates', () => {
  it.each(templateNames)('%s: its headers are suggested as intended and pass the check', (name) => {
    const { headers } = parseTemplate(templateFile(name).body)
    const mapping = suggestMapping(headers)
    expect(mapping).toEqual(templateFields(name))
    expect(() => {
      checkMapping(headers, mapping)
    }).not.toThrow()
  })

  it.each(templateNames)('%s: demo lines hold values the import accepts', (name) => {
    const { headers, lines } = parseTemplate(templateFile(name).body)
    const fields = templateFields(name)
    expect(lines.length).toBeGreaterThanOrEqual(3)
    for (const line of lines) {
      expect(line).toHaveLength(headers.length)
      line.forEach((value, i) => {
        if (value === '') return
        const field = fields[i]
        if (field === 'contact.email') expect(emailField.safeParse(value).success).toBe(true)
        if (field === 'contact.role') expect(roleField.safeParse(value).success).toBe(true)
        if (field === 'customer.country') expect(toCountryCode(value)).toBeDefined()
        if (field === 'contact.isMain') expect(value).toBe('1')
        if (field === 'assignment.accountManagers') {
          for (const email of value.split(','))
            expect(emailField.safeParse(email).success).toBe(true)
        }
        // Excel would run these as formulas.
        expect(value).not.toMatch(/^[=+\-@]/)
      })
    }
  })

  it('names the customer "Customer ID" in the account managers and workflows template, as the rest of the app does', () => {
    const file = templateFile('account-managers-and-workflows')
    expect(file.fileName).toBe('roster-import-account-managers-and-workflows.csv')
    expect(file.contentType).toBe('text/csv; charset=utf-8')
    expect(parseTemplate(file.body).headers).toEqual(['Customer ID', 'Account manager', 'Workflow'])
    expect(file.body).toContain('demo.manager@example.com')
  })

  it('shows accents, a group with a subsidiary and a customer with two contacts, one main', () => {
    const { headers, lines } = parseTemplate(templateFile('all').body)
    const column = (label: string) => headers.indexOf(label)
    const sgd = lines.filter((line) => line[column('Customer ID')] === 'SGD-001')
    expect(sgd.map((line) => line[column('Customer name')])).toEqual([
      'Société Générale Démo',
      'Société Générale Démo',
    ])
    expect(sgd.map((line) => line[column('Main contact')])).toEqual(['1', ''])
    const subsidiary = lines.find((line) => line[column('Group name')] !== '')
    expect(subsidiary?.[column('Group ID')]).toBe('HEL-000')
    expect(lines.some((line) => line[column('Customer ID')] === 'HEL-000')).toBe(true)
    expect(lines.some((line) => line[column('Workflow')] === 'Standard')).toBe(true)
  })
})

describe('normalizeHeader', () => {
  it('ignores case, accents, spacing, underscores and punctuation', () => {
    const forms = [
      'Nom du client',
      'nom_du_client',
      'NOM DU CLIENT ',
      ' Nom-du-Client.',
      'nom du client',
    ]
    expect(new Set(forms.map(normalizeHeader))).toEqual(new Set(['nomduclient']))
    expect(normalizeHeader('Société mère')).toBe(normalizeHeader('SOCIETE MERE'))
    expect(normalizeHeader('E-mail')).toBe('email')
    expect(normalizeHeader('Nº client')).toBe(normalizeHeader('N° client'))
  })
})

describe('suggestMapping', () => {
  it('reads a French Excel export', () => {
    const columns = [
      'Code client',
      'Raison sociale',
      'SIRET',
      'N° TVA intracom',
      'Adresse',
      'CP',
      'Ville',
      'Pays',
      'Maison mère',
      'Chargé de compte',
      'Scénario de relance',
      'Prénom',
      'Nom',
      'Adresse e-mail',
      'Téléphone',
      'Fonction',
      'Contact principal',
      'Montant TTC',
      'Date d’échéance',
    ]
    expect(suggestMapping(columns)).toEqual([
      'customer.externalId',
      'customer.name',
      null,
      'customer.vatNumber',
      'customer.address',
      'customer.postalCode',
      'customer.city',
      'customer.country',
      'group.name',
      'assignment.accountManagers',
      'assignment.workflow',
      'contact.firstName',
      'contact.lastName',
      'contact.email',
      'contact.phone',
      'contact.role',
      'contact.isMain',
      null,
      null,
    ])
  })

  it('reads an English spreadsheet', () => {
    expect(
      suggested([
        'Customer',
        'Customer number',
        'VAT no',
        'Street address',
        'ZIP code',
        'Town',
        'Country code',
        'Parent company',
        'Account managers',
        'Dunning plan',
        'Email address',
        'First name',
        'Last name',
        'Phone',
        'Primary contact',
        'Open balance',
      ]),
    ).toEqual({
      Customer: 'customer.name',
      'Customer number': 'customer.externalId',
      'VAT no': 'customer.vatNumber',
      'Street address': 'customer.address',
      'ZIP code': 'customer.postalCode',
      Town: 'customer.city',
      'Country code': 'customer.country',
      'Parent company': 'group.name',
      'Account managers': 'assignment.accountManagers',
      'Dunning plan': 'assignment.workflow',
      'Email address': 'contact.email',
      'First name': 'contact.firstName',
      'Last name': 'contact.lastName',
      Phone: 'contact.phone',
      'Primary contact': 'contact.isMain',
    })
  })

  it('reads a Salesforce report of accounts and contacts', () => {
    expect(
      suggested([
        'Account Name',
        'Account ID',
        'Billing Street',
        'Billing City',
        'Billing Zip/Postal Code',
        'Billing State/Province',
        'Billing Country',
        'Account Owner',
        'Parent Account',
        'Parent Account ID',
        'Contact ID',
        'First Name',
        'Last Name',
        'Title',
        'Email',
        'Phone',
        'Mobile',
      ]),
    ).toEqual({
      'Account Name': 'customer.name',
      'Account ID': 'customer.externalId',
      'Billing Street': 'customer.address',
      'Billing City': 'customer.city',
      'Billing Zip/Postal Code': 'customer.postalCode',
      'Billing Country': 'customer.country',
      'Account Owner': 'assignment.accountManagers',
      'Parent Account': 'group.name',
      'Parent Account ID': 'group.externalId',
      'Contact ID': 'contact.externalId',
      'First Name': 'contact.firstName',
      'Last Name': 'contact.lastName',
      Email: 'contact.email',
      Phone: 'contact.phone',
    })
  })

  it('reads Salesforce field names written in camelCase', () => {
    expect(
      suggestMapping([
        'Id',
        'Name',
        'AccountNumber',
        'BillingPostalCode',
        'ParentId',
        'FirstName',
        'LastName',
        'MobilePhone',
        'OwnerId',
      ]),
    ).toEqual([
      null,
      'customer.name',
      'customer.externalId',
      'customer.postalCode',
      'group.externalId',
      'contact.firstName',
      'contact.lastName',
      'contact.phone',
      null,
    ])
  })

  it('reads Stripe and QuickBooks customer exports', () => {
    expect(
      suggested([
        'id',
        'Description',
        'Email',
        'Name',
        'Phone',
        'Address Line1',
        'Address Line2',
        'Address City',
        'Address PostalCode',
        'Address Country',
        'Created (UTC)',
      ]),
    ).toEqual({
      id: 'customer.externalId',
      Email: 'contact.email',
      Name: 'customer.name',
      Phone: 'contact.phone',
      'Address Line1': 'customer.address',
      'Address City': 'customer.city',
      'Address PostalCode': 'customer.postalCode',
      'Address Country': 'customer.country',
    })
    expect(
      suggested(['Customer', 'Customer #', 'Zip', 'Tax ID', 'Email address (optional)']),
    ).toEqual({
      Customer: 'customer.name',
      'Customer #': 'customer.externalId',
      Zip: 'customer.postalCode',
      'Tax ID': 'customer.vatNumber',
      'Email address (optional)': 'contact.email',
    })
  })

  it('ignores case, accents, spacing and punctuation in headers', () => {
    expect(
      suggestMapping([
        'NOM_DU_CLIENT',
        '  code   postal ',
        'telephone',
        'e.mail',
        'Role',
        'N°-TVA',
        'id client',
        'chargee de compte',
      ]),
    ).toEqual([
      'customer.name',
      'customer.postalCode',
      'contact.phone',
      'contact.email',
      'contact.role',
      'customer.vatNumber',
      'customer.externalId',
      'assignment.accountManagers',
    ])
  })

  it('catches typos close to a known header', () => {
    expect(
      suggestMapping([
        'Cutomer name',
        'Adress',
        'Postal cod',
        'Contry',
        'Contact emial',
        'Frist name',
      ]),
    ).toEqual([
      'customer.name',
      'customer.address',
      'customer.postalCode',
      'customer.country',
      'contact.email',
      'contact.firstName',
    ])
  })

  it('does not guess from short words or unrelated finance columns', () => {
    const columns = [
      'No',
      'Payé',
      'Invoice number',
      'Due date',
      'Amount',
      'Montant HT',
      'Solde',
      'Devise',
      'Currency',
      'Statut',
      'Notes',
      'Commentaire',
      'Date de création',
      'Contact name',
      'Contact',
      'Contacts',
      'Customer type',
      'Title',
      'SIREN',
      '',
    ]
    expect(suggestMapping(columns)).toEqual(columns.map(() => null))
  })

  it('pairs "Prénom" and "Nom" as the contact’s names', () => {
    expect(suggested(['Client', 'Prénom', 'Nom', 'Email'])).toEqual({
      Client: 'customer.name',
      Prénom: 'contact.firstName',
      Nom: 'contact.lastName',
      Email: 'contact.email',
    })
    expect(suggested(['Nom', 'Code client', 'Ville'])).toEqual({
      Nom: 'customer.name',
      'Code client': 'customer.externalId',
      Ville: 'customer.city',
    })
    // With a family-name column too, the bare name is the customer's.
    expect(suggested(['Nom', 'Prénom', 'Nom de famille'])).toEqual({
      Nom: 'customer.name',
      Prénom: 'contact.firstName',
      'Nom de famille': 'contact.lastName',
    })
  })

  it('reads a bare "Email" as the contact’s and a bare "ID" as the customer’s', () => {
    expect(suggested(['ID', 'Email'])).toEqual({
      ID: 'customer.externalId',
      Email: 'contact.email',
    })
  })

  it('never suggests a field twice: a precise header beats a bare word, then the leftmost wins', () => {
    expect(suggestMapping(['Email', 'Contact email', 'Courriel'])).toEqual([
      null,
      'contact.email',
      null,
    ])
    expect(suggestMapping(['ID', 'Customer ID'])).toEqual([null, 'customer.externalId'])
    expect(suggestMapping(['Client', 'Raison sociale'])).toEqual([null, 'customer.name'])
    expect(suggestMapping(['Raison sociale', 'Customer name'])).toEqual(['customer.name', null])
    expect(suggestMapping(['Email', 'Email'])).toEqual(['contact.email', null])
    const mapping = suggestMapping(['Adresse', 'Adress', 'Address line 1', 'Rue'])
    expect(mapping.filter((field) => field === 'customer.address')).toHaveLength(1)
  })

  it('follows what earlier imports learned over synonyms', () => {
    const learned = new Map<string, ImportField | null>([
      [normalizeHeader('Interlocuteur'), 'contact.email'],
      [normalizeHeader('Code client'), 'customer.accountingCode'],
    ])
    expect(suggested(['Email', 'Interlocuteur', 'Code client', 'ID'], learned)).toEqual({
      Interlocuteur: 'contact.email',
      'Code client': 'customer.accountingCode',
      ID: 'customer.externalId',
    })
  })

  it('leaves a column ignored when the organisation ignored it before', () => {
    const learned = new Map<string, ImportField | null>([[normalizeHeader('Commercial'), null]])
    expect(suggestMapping(['Client', 'Commercial', 'Owner'], learned)).toEqual([
      'customer.name',
      null,
      'assignment.accountManagers',
    ])
  })

  it('learns each header’s field or null from a confirmed mapping', () => {
    const columns = ['Raison sociale', 'Interlocuteur', 'Montant', 'E-mail', 'email']
    const learned = learnFromMapping(columns, [
      'customer.name',
      'contact.lastName',
      null,
      'contact.email',
      null,
    ])
    expect(Object.fromEntries(learned)).toEqual({
      raisonsociale: 'customer.name',
      interlocuteur: 'contact.lastName',
      montant: null,
    })
    expect(suggestMapping(['INTERLOCUTEUR', 'Montant'], learned)).toEqual([
      'contact.lastName',
      null,
    ])
  })
})

describe('requiredFields', () => {
  it.each<[string, ColumnMapping, ImportField[]]>([
    ['nothing mapped', [null, null], ['customer.name']],
    ['a name alone', ['customer.name'], ['customer.name']],
    ['a Customer ID alone', ['customer.externalId'], []],
    ['customer details', ['customer.city'], ['customer.name']],
    [
      'details with a Customer ID',
      ['customer.externalId', 'customer.vatNumber'],
      ['customer.name'],
    ],
    ['a group', ['group.externalId'], ['customer.name', 'group.name']],
    ['assignments', ['assignment.workflow'], ['customer.externalId']],
    [
      'assignments with a name',
      ['customer.name', 'assignment.accountManagers'],
      ['customer.externalId'],
    ],
    ['contacts', ['contact.firstName'], ['customer.name', 'contact.email']],
    ['contacts by Customer ID', ['customer.externalId', 'contact.email'], ['contact.email']],
    [
      'assignments and contacts',
      ['assignment.workflow', 'contact.phone'],
      ['customer.externalId', 'contact.email'],
    ],
    [
      'everything',
      ['customer.country', 'group.name', 'assignment.workflow', 'contact.role'],
      ['customer.name', 'customer.externalId', 'group.name', 'contact.email'],
    ],
  ])('given %s', (_, mapping, required) => {
    expect(requiredFields(mapping)).toEqual(required)
  })
})

describe('checkMapping', () => {
  it('accepts a complete mapping with ignored columns', () => {
    expect(() => {
      checkMapping(['Client', 'Montant', 'Email'], ['customer.name', null, 'contact.email'])
    }).not.toThrow()
  })

  it('refuses a mapping that does not cover the file’s columns', () => {
    const error = refusal(['Client', 'Email'], ['customer.name'])
    expect(error.code).toBe('validation_failed')
    expect(error.message).toBe(
      'The mapping has 1 entries but the file has 2 columns; map or ignore each column of the file.',
    )
    expect(error.details).toEqual([{ path: 'mapping', message: 'Expected 2 entries.' }])
  })

  it('refuses a mapping where every column is ignored', () => {
    const error = refusal(['Montant', 'Date'], [null, null])
    expect(error.message).toBe(
      'Every column is ignored; map the columns of the file to Roster fields.',
    )
  })

  it('refuses a field mapped twice, naming it and both columns', () => {
    const error = refusal(
      ['Client', 'Raison sociale', 'Email'],
      ['customer.name', 'customer.name', 'contact.email'],
    )
    expect(error.code).toBe('validation_failed')
    expect(error.message).toBe(
      'Customer name is mapped to two columns, "Client" and "Raison sociale"; keep one and ignore the other.',
    )
    expect(error.details).toEqual([
      { path: 'mapping.1', message: 'Customer name is already mapped to "Client".' },
    ])
  })

  it('names a column without header by its position', () => {
    const error = refusal(['Email', ''], ['contact.email', 'contact.email'])
    expect(error.message).toContain('"Email" and column 2')
  })

  it('refuses missing required columns, listing them', () => {
    const error = refusal(
      ['Client', 'Prénom', 'Filiale de'],
      ['customer.name', 'contact.firstName', 'group.externalId'],
    )
    expect(error.code).toBe('validation_failed')
    expect(error.message).toBe('Map the required columns: Contact email, Group name.')
    expect(error.details.map((detail) => detail.path)).toEqual(['mapping', 'mapping'])
    expect(error.details.map((detail) => detail.message)).toContain(
      'Contact email is required. A contact is identified by its email.',
    )
  })

  it('asks for a customer name or ID when only contacts are mapped', () => {
    const error = refusal(['Email'], ['contact.email'])
    expect(error.message).toBe('Map the required columns: Customer name.')
    expect(error.details[0]?.message).toContain('Customer ID')
  })

  it('asks for the Customer ID of assignment files', () => {
    const error = refusal(
      ['Client', 'Chargé de compte'],
      ['customer.name', 'assignment.accountManagers'],
    )
    expect(error.message).toBe('Map the required columns: Customer ID.')
    expect(error.details[0]?.message).toContain('assigned by the Customer ID')
  })

  it('reports a field mapped twice and the missing columns together', () => {
    const error = refusal(
      ['Contact', 'Email', 'Groupe'],
      ['contact.email', 'contact.email', 'group.externalId'],
    )
    expect(error.message).toBe(
      'Contact email is mapped to two columns, "Contact" and "Email"; keep one and ignore the other. ' +
        'Map the required columns: Customer name, Group name.',
    )
    expect(error.details.map((detail) => detail.path)).toEqual(['mapping.1', 'mapping', 'mapping'])
  })
})
