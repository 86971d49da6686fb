import { z } from 'zod'
import { contact } from './contacts.ts'
import { customer } from './customers.ts'

/** One customer of `roster export`, with its contacts: the API's shapes, minus bookkeeping. */
export const exportedCustomer = customer
  .omit({
    currency: true,
    mainContact: true,
    contactsLockedBy: true,
    archivedAt: true,
    createdAt: true,
    updatedAt: true,
    group: true,
  })
  .extend({
    group: z.object({ name: z.string(), externalId: z.string().nullable() }).nullable(),
    contacts: z.array(
      contact.omit({
        customerId: true,
        lockedBy: true,
        createdAt: true,
        updatedAt: true,
        bouncedAt: true,
        bounceReason: true,
        doNotRemind: true,
      }),
    ),
  })
export type ExportedCustomer = z.infer<typeof exportedCustomer>
