import { z } from 'zod'

/** The Roster fields a column of an imported file can fill. */
export const importFields = [
  'customer.name',
  'customer.externalId',
  'customer.accountingCode',
  'customer.vatNumber',
  'customer.address',
  'customer.postalCode',
  'customer.city',
  'customer.country',
  'group.name',
  'group.externalId',
  'assignment.accountManagers',
  'assignment.workflow',
  'contact.email',
  'contact.firstName',
  'contact.lastName',
  'contact.phone',
  'contact.externalId',
  'contact.role',
  'contact.isMain',
] as const
export type ImportField = (typeof importFields)[number]
export const importField = z.enum(importFields)

export type FieldGroup = 'customer' | 'group' | 'assignment' | 'contact'

/** The mapping: for each column of the file, by index, the field it fills or null (ignored). */
export const columnMapping = z.array(importField.nullable())
export type ColumnMapping = z.infer<typeof columnMapping>

/** The downloadable files with demo lines, one per way of using the import. */
export const templateNames = [
  'customers',
  'customers-and-contacts',
  'account-managers-and-workflows',
  'all',
] as const
export type TemplateName = (typeof templateNames)[number]
export const templateName = z.enum(templateNames)
