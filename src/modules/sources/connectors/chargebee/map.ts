import {
  badEmail,
  countryCode,
  currencyCode,
  describeIssues,
  joinLines,
  text,
  validEmail,
} from '../common.ts'
import type { ContactRole, SkippedRecord, SourceContact, SourceCustomer } from '../types.ts'
import { chargebeeContact, chargebeeCustomer, type ChargebeeCustomer } from './schemas.ts'

export interface Mapped {
  customer: SourceCustomer | null
  skipped: SkippedRecord[]
}

/**
 * Chargebee's contact rule: the customer-level person is the main contact, each entry of
 * `contacts[]` an additional one. `contacts` replaces the customer's own array when it had to
 * be read from the contacts endpoint.
 */
export function mapChargebeeCustomer(raw: unknown, contacts?: unknown[]): Mapped {
  const parsed = chargebeeCustomer.safeParse(raw)
  if (!parsed.success) {
    return { customer: null, skipped: [skippedCustomer(raw, describeIssues(parsed.error))] }
  }
  const c = parsed.data
  const skipped: SkippedRecord[] = []
  const address = c.billing_address ?? null
  // Personal data cleared at Chargebee: the customer is archived and its contacts removed.
  const cleared = c.pii_cleared === 'cleared'
  const customer: SourceCustomer = {
    externalId: c.id,
    // Company: the company name, else the person's name, else the id.
    name: text(c.company) ?? joinName(c.first_name, c.last_name) ?? c.id,
    // Chargebee has no accounting code; the merchant's own id is already the external id.
    accountingCode: null,
    vatNumber: vatNumber(c.vat_number_prefix, c.vat_number),
    // Lines, then the state, as Roster has one address field and no state.
    address: joinLines(address?.line1, address?.line2, address?.line3, address?.state),
    postalCode: text(address?.zip),
    city: text(address?.city),
    country: countryCode(address?.country),
    currency: currencyCode(c.preferred_currency_code),
    archived: c.deleted === true || cleared,
    erased: cleared,
    contacts: cleared ? [] : contactList(c, contacts ?? c.contacts ?? [], skipped),
  }
  return { customer, skipped }
}

function contactList(c: ChargebeeCustomer, raws: unknown[], skipped: SkippedRecord[]) {
  const ownEmail = text(c.email)
  let main: SourceContact | null = null
  if (ownEmail !== null) {
    const email = validEmail(ownEmail)
    if (email === null) {
      skipped.push({
        externalId: c.id,
        reason: `The email "${ownEmail}" of Chargebee customer ${c.id} is not a valid address: its own person was left out of the contacts.`,
      })
    }
    // The customer-level person keeps the customer's id, whatever its email becomes.
    else main = person(c.id, email, c.first_name, c.last_name, c.phone, null, true)
  }
  const additional: SourceContact[] = []
  for (const raw of raws) {
    const parsed = chargebeeContact.safeParse(raw)
    if (!parsed.success) {
      skipped.push({
        externalId: c.id,
        reason: `A contact of Chargebee customer ${c.id} could not be read (${describeIssues(parsed.error)}); it was left out.`,
      })
      continue
    }
    const ct = parsed.data
    // Disabled contacts are left out, so Roster archives the ones it had.
    if (ct.enabled === false) continue
    const email = validEmail(ct.email)
    if (email === null) {
      // Roster's contacts need an email: one without is dropped, a malformed one reported.
      if (text(ct.email) !== null) skipped.push(badEmail(c.id, ct.id, text(ct.email) ?? ''))
      continue
    }
    const candidate = person(ct.id, email, ct.first_name, ct.last_name, ct.phone, roleOf(ct.label))
    // No customer-level email: the first enabled contact becomes the main one, so the customer
    // still has someone to send reminders to (the billing address person is never a contact).
    if (main === null) {
      main = { ...candidate, isMain: true }
      continue
    }
    // The same email twice is one person: merged into the first, never duplicated.
    const same = [main, ...additional].find((known) => sameEmail(known.email, email))
    if (same) merge(same, candidate)
    else additional.push(candidate)
  }
  return main ? [main, ...additional] : additional
}

function person(
  externalId: string,
  email: string,
  firstName: string | null | undefined,
  lastName: string | null | undefined,
  phone: string | null | undefined,
  role: ContactRole | null,
  isMain = false,
): SourceContact {
  return {
    externalId,
    email,
    firstName: text(firstName),
    lastName: text(lastName),
    phone: text(phone),
    role,
    isMain,
  }
}

/** What the merged-in duplicate knows and the kept contact does not. */
function merge(kept: SourceContact, duplicate: SourceContact): void {
  kept.firstName ??= duplicate.firstName
  kept.lastName ??= duplicate.lastName
  kept.phone ??= duplicate.phone
  kept.role ??= duplicate.role
}

const sameEmail = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

/**
 * A role only when the label clearly says it, in English or French; accounting wins over payer
 * so "Accounts payable" is accounting.
 */
const labelRoles: [RegExp, ContactRole][] = [
  [
    /accounts?\s+payable|accounting|accountant|bookkeep|billing|invoic|financ|comptab|factur/i,
    'ACCOUNTING',
  ],
  [/purchas|procure|buyer|achat|acheteu/i, 'PURCHASER'],
  [/payer|payment|paiement|payeu|règlement|reglement/i, 'PAYER'],
  [/\bsales?\b|commercial|vente/i, 'SALES'],
]

export function roleOf(label: string | null | undefined): ContactRole | null {
  const value = text(label)
  if (value === null) return null
  return labelRoles.find(([pattern]) => pattern.test(value))?.[1] ?? null
}

function vatNumber(prefix: string | null | undefined, number: string | null | undefined) {
  const value = text(number)
  if (value === null) return null
  const country = text(prefix)?.toUpperCase() ?? ''
  // Some merchants type the number with its prefix already.
  return value.toUpperCase().startsWith(country) ? value : `${country}${value}`
}

function joinName(first: string | null | undefined, last: string | null | undefined) {
  const name = [text(first), text(last)].filter((part) => part !== null).join(' ')
  return name === '' ? null : name
}

function skippedCustomer(raw: unknown, why: string): SkippedRecord {
  const id =
    typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
      ? (raw as { id: string }).id
      : null
  return {
    externalId: id,
    reason: `Chargebee customer ${id ?? '(without id)'} could not be read (${why}); fix it in Chargebee.`,
  }
}
