import { z } from 'zod'
import { warning } from './common.ts'
import { auditEvent } from './customers.ts'
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

/** What erasing a contact's personal data (GDPR) removed; none of the data itself. */
export const contactErased = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  erasedAt: z.iso.datetime(),
  /** The contact's fields that held a value, now empty (the catalogue's personal fields). */
  fields: z.array(z.string()),
  /** Entries of the history (the audit trail) the data was removed from. */
  historyEntries: z.number(),
  /** Imports that held the person: their lines cleared and their uploaded file deleted. */
  imports: z.array(
    z.object({ id: z.uuid(), lines: z.array(z.number()), fileDeleted: z.boolean() }),
  ),
  warnings: z.array(warning),
})
export type ContactErased = z.infer<typeof contactErased>

/** One contact's personal data as Roster holds it (GDPR access request), as one JSON document. */
export const personalData = z.object({
  exportedAt: z.iso.datetime(),
  contact: z.object({
    id: z.uuid(),
    customer: z.object({ id: z.uuid(), name: z.string() }),
    ...reads(contactCatalogue),
    bouncedAt: z.iso.datetime().nullable(),
    bounceReason: z.string().nullable(),
    doNotRemind: z.boolean(),
    archivedAt: z.iso.datetime().nullable(),
    erasedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  }),
  /** Its entries in the history, and the reminders sent to it, newest first. */
  history: z.array(auditEvent),
  /** The lines of imported files that mention it (by its email), as the file has them. */
  imports: z.array(
    z.object({
      id: z.uuid(),
      fileName: z.string(),
      createdAt: z.iso.datetime(),
      columns: z.array(z.string()),
      lines: z.array(z.object({ line: z.number(), cells: z.array(z.string()) })),
    }),
  ),
})
export type PersonalData = z.infer<typeof personalData>
