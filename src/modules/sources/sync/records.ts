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
