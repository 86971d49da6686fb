import {
  fieldInfo,
  importFields,
  requiredFields,
  type ColumnMapping,
  type FieldGroup,
  type ImportField,
} from '@contracts/imports.ts'

// The API's own field catalogue and required-field rule (src/contracts), so the wizard labels the
// fields and marks them Required exactly as the API checks a mapping.
export { fieldInfo, requiredFields }

export const groupLabels: Record<FieldGroup, string> = {
  customer: 'Customer',
  group: 'Group (parent company)',
  assignment: 'Account managers and workflow',
  contact: 'Contact',
}

const groups: FieldGroup[] = ['customer', 'group', 'assignment', 'contact']

/** The fields of each group, in the catalogue's order. */
export const fieldsByGroup: { group: FieldGroup; fields: ImportField[] }[] = groups.map(
  (group) => ({ group, fields: importFields.filter((field) => fieldInfo[field].group === group) }),
)

export const isImportField = (value: string): value is ImportField =>
  (importFields as readonly string[]).includes(value)

/** A column's name as the file has it, or its position when its header is blank. */
export const columnName = (columns: readonly string[], index: number): string =>
  columns[index]?.trim() || `Column ${index + 1}`

/** What keeps a mapping from being checked: required fields left out, or nothing mapped. */
export function missingFields(mapping: ColumnMapping): ImportField[] {
  const mapped = new Set(mapping)
  return requiredFields(mapping).filter((field) => !mapped.has(field))
}

export const isComplete = (mapping: ColumnMapping): boolean =>
  mapping.some((field) => field !== null) && missingFields(mapping).length === 0
