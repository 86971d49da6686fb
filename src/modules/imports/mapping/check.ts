import {
  fieldInfo,
  requirements,
  type ColumnMapping,
  type ImportField,
} from '../../../contracts/imports.ts'
import { AppError, type ErrorDetail } from '../../../platform/errors.ts'

export { requiredFields } from '../../../contracts/imports.ts'

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
