import {
  countryCode,
  currencyCode,
  describeIssues,
  joinLines,
  text,
  validEmail,
} from '../common.ts'
import type { SkippedRecord, SourceContact, SourceCustomer } from '../types.ts'
import { quickbooksCustomer, type QuickBooksCustomer } from './schemas.ts'

export interface Mapped {
  customer: SourceCustomer | null
  skipped: SkippedRecord[]
}

/**
 * QuickBooks's contact rule: a customer has no contacts, only its email field, which may hold
 * several addresses (comma- or semicolon-separated). Each address becomes a contact, the first
 * the main one with the customer's person and phone; inactive customers are archived;
 * sub-customers are in their parent's group.
 */
export function mapQuickBooksCustomer(raw: unknown): Mapped {
  const parsed = quickbooksCustomer.safeParse(raw)
  if (!parsed.success) {
    return { customer: null, skipped: [skippedCustomer(raw, describeIssues(parsed.error))] }
  }
  const c = parsed.data
  const skipped: SkippedRecord[] = []
  const address = c.BillAddr ?? null
  const archived = c.Active === false
  const customer: SourceCustomer = {
    externalId: c.Id,
    name: text(c.CompanyName) ?? displayName(c.DisplayName, archived) ?? c.Id,
    // QuickBooks has no account number on customers; the Id is already the external id.
    accountingCode: null,
    // PrimaryTaxIdentifier comes masked (XXXXXX1234): not a number Roster can keep.
    vatNumber: null,
    // Lines, then the state or province, as Roster has one address field and no state.
    address: joinLines(
      address?.Line1,
      address?.Line2,
      address?.Line3,
      address?.Line4,
      address?.Line5,
      address?.CountrySubDivisionCode,
    ),
    postalCode: text(address?.PostalCode),
    city: text(address?.City),
    country: countryCode(address?.Country),
    currency: currencyCode(c.CurrencyRef?.value),
    archived,
    contacts: contactsOf(c, skipped),
    parentExternalId: text(c.ParentRef?.value),
  }
  return { customer, skipped }
}

/** Every address of the email field, in order, once each (any case). */
export function splitAddresses(field: string | null | undefined): string[] {
  const seen = new Set<string>()
  const addresses: string[] = []
  for (const part of (field ?? '').split(/[,;\s]+/)) {
    const address = part.trim()
    if (address === '' || seen.has(address.toLowerCase())) continue
    seen.add(address.toLowerCase())
    addresses.push(address)
  }
  return addresses
}

function contactsOf(c: QuickBooksCustomer, skipped: SkippedRecord[]): SourceContact[] {
  const contacts: SourceContact[] = []
  for (const address of splitAddresses(c.PrimaryEmailAddr?.Address)) {
    const email = validEmail(address)
    if (email === null) {
      skipped.push({
        externalId: c.Id,
        reason: `"${address}" in the email of QuickBooks customer ${c.Id} is not a valid address: it was left out of the contacts.`,
      })
      continue
    }
    const isMain = contacts.length === 0
    contacts.push({
      // The address is the contact's identity: QuickBooks has no contact ids.
      externalId: email.toLowerCase(),
      email,
      firstName: isMain ? text(c.GivenName) : null,
      lastName: isMain ? text(c.FamilyName) : null,
      phone: isMain
        ? (text(c.PrimaryPhone?.FreeFormNumber) ?? text(c.Mobile?.FreeFormNumber))
        : null,
      role: null,
      isMain,
    })
  }
  return contacts
}

/** QuickBooks appends " (deleted)" to the name of a customer it made inactive. */
function displayName(value: string | null | undefined, archived: boolean): string | null {
  const name = text(value)
  if (name === null || !archived) return name
  return text(name.replace(/\s*\(deleted\)$/i, ''))
}

function skippedCustomer(raw: unknown, why: string): SkippedRecord {
  const id =
    typeof raw === 'object' && raw !== null && typeof (raw as { Id?: unknown }).Id === 'string'
      ? (raw as { Id: string }).Id
      : null
  return {
    externalId: id,
    reason: `QuickBooks customer ${id ?? '(without id)'} could not be read (${why}); fix it in QuickBooks.`,
  }
}
