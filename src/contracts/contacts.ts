import { z } from 'zod'
import { warning } from './common.ts'
import { contactCatalogue, reads, writes } from './fields.ts'

export { contactRoles, roleField, type ContactRole } from './fields.ts'

/** The write fields, from the catalogue (src/contracts/fields.ts). */
const contactFields = writes(contactCatalogue)

export const contactCreate = z.strictObject(contactFields)
export const contactPatch = z.strictObject(contactFields).partial()
export type ContactCreate = z.infer<typeof contactCreate>
export type ContactPatch = z.infer<typeof contactPatch>

export const contact = z.object({
  id: z.uuid(),
  ...reads(contactCatalogue),
  /** The source whose sync owns this contact: Roster refuses changes to it. */
  lockedBy: z.string().nullable(),
  /**
   * The phone number could not be read as a number (in the organisation's default country or
   * as an international one) and is kept as typed: check it. False without a phone.
   */
  phoneKeptAsTyped: z.boolean(),
  /** When a reminder to this email bounced (hard), and why; cleared by an edit or a later send. */
  bouncedAt: z.iso.datetime().nullable(),
  bounceReason: z.string().nullable(),
  /** Never a reminder's recipient. */
  doNotRemind: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type Contact = z.infer<typeof contact>

export const contactWritten = contact.extend({ warnings: z.array(warning) })
