import {
  importFields,
  type ColumnMapping,
  type FieldGroup,
  type ImportField,
} from '../../../contracts/imports.ts'
import { AppError, type ErrorDetail } from '../../../platform/errors.ts'
import { fieldInfo } from './fields.ts'

const customerDetails: readonly ImportField[] = [
  'customer.accountingCode',
  'customer.vatNumber',
  'customer.address',
  'customer.postalCode',
  'customer.city',
  'customer.country',
]

/** Each required field with the reason shown when it is missing, in catalogue order. */
function requirements(mapping: ColumnMapping): Map<ImportField, string> {
  const mapped = new Set(mapping.filter((field) => field !== null))
  const has = (group: FieldGroup): boolean =>
    [...mapped].some((field) => fieldInfo[field].group === group)
  const why = new Map<ImportField, string>()

  // Details and groups describe a customer that may have to be created, and a customer has a name.
  if (customerDetails.some((field) => mapped.has(field)) || has('group')) {
    why.set('customer.name', 'Customer details and groups need the customer’s name.')
  }
  // Assignments target customers kept by a sync, found by their ID in the source: no name needed.
  if (has('assignment')) {
    why.set(
      'customer.externalId',
      'Account managers and workflows are assigned by the customer’s ID in your source system (External ID).',
    )
  }
  // A group is found, or created, by its name; its ID alone would not say what to call it.
  if (has('group')) why.set('group.name', 'A subsidiary’s line names its group.')
  // A contact is found within its customer by Contact ID, else by email, and needs an email.
  if (has('contact')) why.set('contact.email', 'A contact is identified by its email.')
  // Every line must find its customer: by ID when the file has one, else by name.
  if (
    !why.has('customer.name') &&
    !why.has('customer.externalId') &&
    !mapped.has('customer.externalId')
  ) {
    why.set('customer.name', 'Each line needs its customer: map its name or its Customer ID.')
  }
  return new Map(importFields.filter((f) => why.has(f)).map((f) => [f, why.get(f) ?? '']))
}

/** The fields the mapping step marks Required, given what is mapped so far. */
export function requiredFields(mapping: ColumnMapping): ImportField[] {
  return [...requirements(mapping).keys()]
}

const columnName = (columns: string[], index: number): string => {
  const header = columns[index]?.trim()
  return header ? `"${header}"` : `column ${index + 1}`
}

const list = (items: string[]): string =>
  items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`

/** Refuses a mapping that cannot be imported; `columns` are the file's headers, in order. */
export function checkMapping(columns: string[], mapping: ColumnMapping): void {
  if (mapping.length !== columns.length) {
    throw new AppError(
      'validation_failed',
      `The mapping has ${mapping.length} entries but the file has ${columns.length} columns; ` +
        'map or ignore each column of the file.',
      [{ path: 'mapping', message: `Expected ${columns.length} entries.` }],
    )
  }
  if (mapping.every((field) => field === null)) {
    throw new AppError(
      'validation_failed',
      'Every column is ignored; map the columns of the file to Roster fields.',
      [{ path: 'mapping', message: 'Map at least one column.' }],
    )
  }

  const messages: string[] = []
  const details: ErrorDetail[] = []

  const columnsOf = new Map<ImportField, number[]>()
  mapping.forEach((field, index) => {
    if (field) columnsOf.set(field, [...(columnsOf.get(field) ?? []), index])
  })
  for (const [field, indexes] of columnsOf) {
    if (indexes.length < 2) continue
    const { label } = fieldInfo[field]
    const names = indexes.map((index) => columnName(columns, index))
    const count = indexes.length === 2 ? 'two' : String(indexes.length)
    const others = indexes.length === 2 ? 'the other' : 'the others'
    messages.push(
      `${label} is mapped to ${count} columns, ${list(names)}; keep one and ignore ${others}.`,
    )
    const [first = 0, ...rest] = indexes
    for (const index of rest) {
      details.push({
        path: `mapping.${index}`,
        message: `${label} is already mapped to ${columnName(columns, first)}.`,
      })
    }
  }

  const missing = [...requirements(mapping)].filter(([field]) => !columnsOf.has(field))
  if (missing.length > 0) {
    const labels = missing.map(([field]) => fieldInfo[field].label).sort()
    messages.push(`Map the required columns: ${labels.join(', ')}.`)
    for (const [field, reason] of missing) {
      details.push({ path: 'mapping', message: `${fieldInfo[field].label} is required. ${reason}` })
    }
  }

  if (messages.length > 0) throw new AppError('validation_failed', messages.join(' '), details)
}
