import { z } from 'zod'
import { contactRoles } from './contacts.ts'

/** One customer of `roster export`, with its contacts. */
export const exportedCustomer = z.object({
  id: z.uuid(),
  name: z.string(),
  externalId: z.string().nullable(),
  accountingCode: z.string().nullable(),
  vatNumber: z.string().nullable(),
  address: z.string().nullable(),
  postalCode: z.string().nullable(),
  city: z.string().nullable(),
  country: z.string().nullable(),
  group: z.object({ name: z.string(), externalId: z.string().nullable() }).nullable(),
  accountManagers: z.array(z.string()),
  workflow: z.string().nullable(),
  source: z.string(),
  contacts: z.array(
    z.object({
      id: z.uuid(),
      email: z.string(),
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
      phone: z.string().nullable(),
      externalId: z.string().nullable(),
      role: z.enum(contactRoles).nullable(),
      isMain: z.boolean(),
      source: z.string(),
    }),
  ),
})
export type ExportedCustomer = z.infer<typeof exportedCustomer>
