import { z } from 'zod'
import { emailField, optionalText } from './common.ts'
import { contactRoles, roleField } from './fields.ts'

/** Why a recipient was chosen. */
export const recipientReasons = [
  'main',
  'role',
  'fallback_main',
  'chosen',
  'new_contact',
  'one_off',
] as const
export type RecipientReason = (typeof recipientReasons)[number]

export const resolvedRecipient = z.object({
  /** Null for a one-off address, which is no contact. */
  contactId: z.uuid().nullable(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(contactRoles).nullable(),
  isMain: z.boolean(),
  reason: z.enum(recipientReasons),
  /** The reason in a sentence ("Accounting contact", "no Accounting contact: the main contact"). */
  why: z.string(),
})
export type ResolvedRecipient = z.infer<typeof resolvedRecipient>

export const draftQuery = z.strictObject({ step: z.uuid({ error: 'Not a valid step id.' }) })

export const reminderDraft = z.object({
  step: z.object({ id: z.uuid(), name: z.string(), workflow: z.string() }),
  to: z.array(resolvedRecipient),
  cc: z.array(resolvedRecipient),
  subject: z.string(),
  body: z.string(),
  warnings: z.array(z.string()),
  /** False when nobody can receive it: every contact bounced, opted out, or there is none. */
  reachable: z.boolean(),
  /** The system that owns the customer's contacts: new ones cannot be saved, one-off addresses can. */
  contactsLockedBy: z.string().nullable(),
})
export type ReminderDraft = z.infer<typeof reminderDraft>

/** A recipient the member chose: one of the customer's contacts, or an address. */
export const recipientChoice = z.union([
  z.strictObject({ contactId: z.uuid({ error: 'Not a valid contact id.' }) }),
  z.strictObject({ email: emailField }),
])
export type RecipientChoice = z.infer<typeof recipientChoice>

export const newReminderContact = z.strictObject({
  email: emailField,
  firstName: optionalText(200),
  lastName: optionalText(200),
  role: roleField.nullable().optional(),
  /** Where it receives this reminder. */
  as: z.enum(['to', 'cc']).default('to'),
})

export const reminderCreate = z.strictObject({
  step: z.uuid({ error: 'Not a valid step id.' }),
  /** Left out: the step's resolved recipients. */
  to: z.array(recipientChoice).max(50).optional(),
  cc: z.array(recipientChoice).max(50).optional(),
  /** Saved as the customer's contacts (only when Roster owns its contacts) and sent to. */
  newContacts: z.array(newReminderContact).max(20).optional(),
  subject: z.string().trim().min(1, 'Give the email a subject.').max(500).optional(),
  body: z.string().trim().min(1, 'Write the email body.').max(20_000).optional(),
})
export type ReminderCreate = z.infer<typeof reminderCreate>

/**
 * `sending`: being handed to the mail server; `unconfirmed`: Roster stopped while handing it over,
 * so it may or may not have gone out; it is not sent again (the reason says so).
 */
export const reminderStatuses = ['queued', 'sending', 'sent', 'unconfirmed', 'failed'] as const
const address = z.object({ contactId: z.uuid().nullable(), email: z.string() })

export const reminder = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  stepName: z.string(),
  status: z.enum(reminderStatuses),
  /** Why it failed, or why the last attempt failed while it is retried. */
  reason: z.string().nullable(),
  to: z.array(address),
  cc: z.array(address),
  subject: z.string(),
  createdAt: z.iso.datetime(),
  sentAt: z.iso.datetime().nullable(),
})
export type Reminder = z.infer<typeof reminder>

/** A bounce reported by a mail provider. */
export const bounceReport = z
  .strictObject({
    /** The Message-ID of the reminder, or the VERP address the bounce came back to. */
    messageId: z.string().trim().min(1).max(500).optional(),
    verp: emailField.optional(),
    /** The address that bounced. */
    recipient: emailField,
    /** `hard` marks the contact; `soft` (mailbox full, try later) is only recorded. */
    kind: z.enum(['hard', 'soft']),
    /** The provider's reason, e.g. the DSN's status and diagnostic ("5.1.1 user unknown"). */
    reason: z.string().trim().max(1000).optional(),
  })
  .refine((report) => report.messageId !== undefined || report.verp !== undefined, {
    message: 'Give the reminder’s messageId or the verp address the bounce came back to.',
  })
export type BounceReport = z.infer<typeof bounceReport>

export const bounceResult = z.object({
  reminderId: z.uuid(),
  contactsMarked: z.array(z.object({ id: z.uuid(), email: z.string() })),
})
