import { z } from 'zod'
import { contactRoles } from '../../../contracts/contacts.ts'
import { normalizePhone } from '../../contacts/phone.ts'
import type { SkippedRecord, SourceCustomer, SourcePage } from '../connectors/types.ts'

/**
 * The engine's edge: what a connector hands over is checked like any other input before it is
 * written, so a record Roster cannot store is skipped and reported (bad data) instead of failing
 * the page. Field limits are the API's.
 */
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `is longer than ${max} characters`)
    .transform((value) => (value === '' ? null : value))
    .nullable()

const contactSchema = z.object({
  externalId: z.string().trim().min(1, 'has no id').max(200),
  email: z
    .string()
    .trim()
    .pipe(z.email({ error: 'has an email address that is not valid' })),
  firstName: text(200),
  lastName: text(200),
  phone: text(50),
  role: z.enum(contactRoles).nullable(),
  isMain: z.boolean(),
  // A billing system's contacts have neither.
  jobTitle: text(200).default(null),
  emailOptedOut: z.boolean().default(false),
})

const customerSchema = z.object({
  externalId: z.string().trim().min(1, 'has no id').max(200),
  name: z.string().trim().max(300),
  accountingCode: text(200),
  vatNumber: text(100),
  address: text(1000),
  postalCode: text(50),
  city: text(200),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'has a country that is not an ISO code like FR')
    .nullable(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'has a currency that is not an ISO code like EUR')
    .nullable(),
  archived: z.boolean(),
  erased: z.boolean().optional(),
  contacts: z.array(contactSchema),
  parentExternalId: z.string().trim().min(1, 'has an empty parent id').max(200).nullish(),
})

export type CustomerRecord = z.output<typeof customerSchema>
export type ContactRecord = z.output<typeof contactSchema>

function problem(record: SourceCustomer, issues: z.core.$ZodIssue[]): string {
  const issue = issues[0]
  if (!issue) return 'It could not be read.'
  const [first, index, field] = issue.path
  if (first === 'contacts' && typeof index === 'number') {
    const contact = record.contacts[index]
    return `Its contact ${contact?.email ?? contact?.externalId ?? String(index + 1)} ${fieldPart(field)}${issue.message}.`
  }
  return `It ${fieldPart(first)}${issue.message}.`
}

const fieldPart = (field: PropertyKey | undefined): string =>
  typeof field === 'string' && !['email', 'externalId', 'country', 'currency'].includes(field)
    ? `(${field}) `
    : ''

/** Checks one customer; a reason when it cannot be stored. */
function check(record: SourceCustomer, defaultCountry: string | null): CustomerRecord | string {
  const parsed = customerSchema.safeParse(record)
  if (!parsed.success) return problem(record, parsed.error.issues)
  const customer = parsed.data
  if (customer.archived) return customer
  if (!customer.name) return 'It has no name.'
  const mains = customer.contacts.filter((c) => c.isMain).length
  if (mains > 1) return `It has ${mains} main contacts; a customer has one at most.`
  const ids = new Set<string>()
  const emails = new Set<string>()
  for (const contact of customer.contacts) {
    const email = contact.email.toLowerCase()
    if (ids.has(contact.externalId) || emails.has(email)) {
      return `Its contact ${contact.email} is listed twice.`
    }
    ids.add(contact.externalId)
    emails.add(email)
    if (contact.phone) {
      contact.phone = normalizePhone(contact.phone, customer.country ?? defaultCountry).phone
    }
  }
  return customer
}

/**
 * The customers of a page Roster can store, the latest listing of a customer winning, and the
 * records skipped (the connector's and the engine's own).
 */
export function readPage(
  page: SourcePage,
  defaultCountry: string | null,
): { customers: CustomerRecord[]; skipped: SkippedRecord[] } {
  const byId = new Map<string, CustomerRecord>()
  const skipped: SkippedRecord[] = [...page.skipped]
  for (const record of page.customers) {
    const result = check(record, defaultCountry)
    if (typeof result === 'string') {
      skipped.push({ externalId: record.externalId || null, reason: result })
    } else {
      byId.delete(result.externalId)
      byId.set(result.externalId, result)
    }
  }
  return { customers: [...byId.values()], skipped }
}

const accountContactSchema = contactSchema.extend({
  email: z
    .string()
    .trim()
    .pipe(z.email({ error: 'has an email address that is not valid' }))
    .nullable(),
  jobTitle: text(200),
  emailOptedOut: z.boolean(),
})

const accountSchema = z.object({
  externalId: z.string().trim().min(1, 'has no id').max(200),
  name: z.string().trim().max(300),
  matchValue: text(300),
  ownerEmail: z.string().trim().toLowerCase().nullable(),
  deleted: z.boolean(),
  contacts: z.array(accountContactSchema),
})

export type AccountRecord = z.output<typeof accountSchema>

/**
 * The accounts of a contact-only source's page Roster can use. A contact with an email Roster
 * cannot store loses the email (kept, not reachable) and is noted; two contacts of an account
 * with one email keep it on the first only.
 */
export function readAccounts(
  page: SourcePage,
  defaultCountry: string | null,
): { accounts: AccountRecord[]; skipped: SkippedRecord[]; notes: SkippedRecord[] } {
  const byId = new Map<string, AccountRecord>()
  const skipped: SkippedRecord[] = [...page.skipped]
  const notes: SkippedRecord[] = [...(page.notes ?? [])]
  for (const record of page.accounts ?? []) {
    const contacts = record.contacts.map((contact) => {
      const email = contact.email === null ? null : contact.email.trim()
      if (email === null || email === '') return { ...contact, email: null }
      if (z.email().safeParse(email).success) return { ...contact, email }
      notes.push({
        externalId: contact.externalId,
        reason: `Contact ${contact.externalId} of account ${record.name} has the email "${email}", which is not valid: kept without an email, so it receives no reminders.`,
      })
      return { ...contact, email: null }
    })
    const parsed = accountSchema.safeParse({ ...record, contacts })
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      skipped.push({
        externalId: record.externalId || null,
        reason: `Account ${record.name || record.externalId} ${fieldPart(issue?.path.at(-1))}${issue?.message ?? 'could not be read'}.`,
      })
      continue
    }
    const account = parsed.data
    const emails = new Set<string>()
    for (const contact of account.contacts) {
      if (contact.email !== null) {
        const key = contact.email.toLowerCase()
        if (emails.has(key)) {
          notes.push({
            externalId: contact.externalId,
            reason: `Contact ${contact.externalId} of account ${account.name} has the same email as another of its contacts (${contact.email}): kept without it.`,
          })
          contact.email = null
        } else emails.add(key)
      }
      if (contact.phone) contact.phone = normalizePhone(contact.phone, defaultCountry).phone
    }
    byId.delete(account.externalId)
    byId.set(account.externalId, account)
  }
  return { accounts: [...byId.values()], skipped, notes }
}
