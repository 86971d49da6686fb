import { z } from 'zod'
import {
  countryField,
  currencyField,
  emailField,
  optionalText,
  pageQuery,
  warning,
} from './common.ts'

export const customerFields = {
  name: z.string().trim().min(1, 'Customer name is required.').max(300),
  externalId: optionalText(200),
  accountingCode: optionalText(200),
  vatNumber: optionalText(100),
  address: optionalText(1000),
  postalCode: optionalText(50),
  city: optionalText(200),
  country: countryField.nullable().optional(),
  currency: currencyField.nullable().optional(),
  groupId: z.uuid().nullable().optional(),
  accountManagers: z.array(emailField).max(50).optional(),
  workflow: z.string().trim().min(1).max(200).nullable().optional(),
}

export const customerCreate = z.strictObject(customerFields)
export const customerPatch = z.strictObject(customerFields).partial()
export type CustomerCreate = z.infer<typeof customerCreate>
export type CustomerPatch = z.infer<typeof customerPatch>

export const customerListQuery = z.strictObject({
  q: z.string().trim().max(200).optional(),
  accountManager: z.string().trim().optional(),
  workflow: z.string().trim().optional(),
  group: z.uuid().optional(),
  ...pageQuery,
})
export type CustomerListQuery = z.infer<typeof customerListQuery>

const sourceName = z.string()

export const customer = z.object({
  id: z.uuid(),
  name: z.string(),
  externalId: z.string().nullable(),
  accountingCode: z.string().nullable(),
  vatNumber: z.string().nullable(),
  address: z.string().nullable(),
  postalCode: z.string().nullable(),
  city: z.string().nullable(),
  country: z.string().nullable(),
  currency: z.string().nullable(),
  group: z.object({ id: z.uuid(), name: z.string(), externalId: z.string().nullable() }).nullable(),
  accountManagers: z.array(z.string()),
  workflow: z.string().nullable(),
  source: sourceName,
  mainContact: z
    .object({
      id: z.uuid(),
      email: z.string(),
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
    })
    .nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type Customer = z.infer<typeof customer>

export const customerWritten = customer.extend({ warnings: z.array(warning) })

export const auditEvent = z.object({
  id: z.uuid(),
  entity: z.enum(['organization', 'customer', 'contact']),
  entityId: z.uuid(),
  action: z.string(),
  actor: z.object({ kind: z.string(), id: z.uuid().nullable(), label: z.string() }),
  at: z.iso.datetime(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
})
