import {
  countryCode,
  currencyCode,
  describeIssues,
  joinLines,
  text,
  validEmail,
} from '../common.ts'
import type { SkippedRecord, SourceContact, SourceCustomer } from '../types.ts'
import { xeroContact, xeroPerson, type XeroContact } from './schemas.ts'

export interface Mapped {
  /** Null for a record that is no customer (a supplier only) or cannot be read. */
  customer: SourceCustomer | null
  skipped: SkippedRecord[]
}

/**
 * Xero's contact rule: only contacts that are customers; the contact's own person is the main
 * contact and each of its ContactPersons an additional one (they have no id at Xero, so the
 * email names them). ARCHIVED and GDPRREQUEST archive the customer; an erased one (GDPR) loses
 * its contacts.
 */
export function mapXeroContact(raw: unknown): Mapped {
  const parsed = xeroContact.safeParse(raw)
  if (!parsed.success) {
    return { customer: null, skipped: [skippedContact(raw, describeIssues(parsed.error))] }
  }
  const c = parsed.data
  if (c.IsCustomer !== true) return { customer: null, skipped: [] }
  const skipped: SkippedRecord[] = []
  const erased = c.ContactStatus === 'GDPRREQUEST'
  const billing = c.Addresses?.find((a) => a.AddressType === 'POBOX') ?? null
  const customer: SourceCustomer = {
    externalId: text(c.AccountNumber) ?? text(c.ContactNumber) ?? c.ContactID,
    name: text(c.Name) ?? joinName(c.FirstName, c.LastName) ?? c.ContactID,
    accountingCode: null,
    vatNumber: text(c.TaxNumber),
    address: joinLines(
      billing?.AddressLine1,
      billing?.AddressLine2,
      billing?.AddressLine3,
      billing?.AddressLine4,
      billing?.Region,
    ),
    postalCode: text(billing?.PostalCode),
    city: text(billing?.City),
    country: countryCode(billing?.Country),
    currency: currencyCode(c.DefaultCurrency),
    archived: erased || c.ContactStatus === 'ARCHIVED',
    erased,
    contacts: erased ? [] : contactList(c, skipped),
  }
  return { customer, skipped }
}

function contactList(c: XeroContact, skipped: SkippedRecord[]): SourceContact[] {
  const phone = mainPhone(c)
  let main: SourceContact | null = null
  const ownEmail = text(c.EmailAddress)
  if (ownEmail !== null) {
    const email = validEmail(ownEmail)
    if (email === null) skipped.push(badEmail(c, ownEmail))
    else main = person(c.ContactID, email, c.FirstName, c.LastName, phone, true)
  }
  const persons: { contact: SourceContact; includeInEmails: boolean }[] = []
  for (const raw of c.ContactPersons ?? []) {
    const parsed = xeroPerson.safeParse(raw)
    if (!parsed.success) {
      skipped.push({
        externalId: c.ContactID,
        reason: `A contact person of Xero contact ${c.Name ?? c.ContactID} could not be read (${describeIssues(parsed.error)}); it was left out.`,
      })
      continue
    }
    const p = parsed.data
    const given = text(p.EmailAddress)
    if (given === null) continue
    const email = validEmail(given)
    if (email === null) {
      skipped.push(badEmail(c, given))
      continue
    }
    const known = [main, ...persons.map((x) => x.contact)].find(
      (k) => k !== null && k.email.toLowerCase() === email.toLowerCase(),
    )
    if (known) {
      known.firstName ??= text(p.FirstName)
      known.lastName ??= text(p.LastName)
      continue
    }
    const id = `${c.ContactID}/${email.toLowerCase()}`
    persons.push({
      contact: person(id, email, p.FirstName, p.LastName, null),
      includeInEmails: p.IncludeInEmails === true,
    })
  }
  // No email on the contact itself: the first person who receives its emails is the main one.
  if (main === null) {
    const promoted = persons.find((p) => p.includeInEmails) ?? persons[0]
    if (promoted) {
      promoted.contact.isMain = true
      promoted.contact.phone = phone
      main = promoted.contact
    }
  }
  const additional = persons.map((p) => p.contact).filter((contact) => contact !== main)
  return main ? [main, ...additional] : additional
}

function person(
  externalId: string,
  email: string,
  firstName: string | null | undefined,
  lastName: string | null | undefined,
  phone: string | null,
  isMain = false,
): SourceContact {
  return {
    externalId,
    email,
    firstName: text(firstName),
    lastName: text(lastName),
    phone,
    role: null,
    isMain,
  }
}

/** DEFAULT first, then MOBILE, then DDI; the number with its country and area codes. */
function mainPhone(c: XeroContact): string | null {
  for (const type of ['DEFAULT', 'MOBILE', 'DDI']) {
    const phone = c.Phones?.find((p) => p.PhoneType === type)
    const number = text(phone?.PhoneNumber)
    if (!phone || number === null) continue
    const country = text(phone.PhoneCountryCode)
    const parts = [
      country ? `+${country.replace(/^\+/, '')}` : null,
      text(phone.PhoneAreaCode),
      number,
    ]
    return parts.filter((part) => part !== null).join(' ')
  }
  return null
}

function joinName(first: string | null | undefined, last: string | null | undefined) {
  const name = [text(first), text(last)].filter((part) => part !== null).join(' ')
  return name === '' ? null : name
}

function badEmail(c: XeroContact, value: string): SkippedRecord {
  return {
    externalId: c.ContactID,
    reason: `The email "${value}" of Xero contact ${c.Name ?? c.ContactID} is not a valid address: that person was left out of the contacts.`,
  }
}

function skippedContact(raw: unknown, why: string): SkippedRecord {
  const id =
    typeof raw === 'object' &&
    raw !== null &&
    typeof (raw as { ContactID?: unknown }).ContactID === 'string'
      ? (raw as { ContactID: string }).ContactID
      : null
  return {
    externalId: id,
    reason: `Xero contact ${id ?? '(without id)'} could not be read (${why}); fix it in Xero.`,
  }
}
