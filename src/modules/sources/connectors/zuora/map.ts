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
import { zuoraAccount, zuoraContact, type ZuoraContact } from './schemas.ts'

export interface Mapped {
  customer: SourceCustomer | null
  skipped: SkippedRecord[]
}

/**
 * Zuora's contact rule: every contact of the account; the Bill To contact is the main one, the
 * Sold To one (when another person) and the others additional. `contacts` are the account's
 * contacts from the contacts query; the expanded `billTo`/`soldTo` fill in when it lacks them.
 * A record that cannot be read is skipped whole, so a customer is never half applied.
 */
export function mapZuoraAccount(raw: unknown, contacts: unknown[]): Mapped {
  const parsed = zuoraAccount.safeParse(raw)
  if (!parsed.success) {
    return { customer: null, skipped: [skippedAccount(raw, describeIssues(parsed.error))] }
  }
  const a = parsed.data
  const read: ZuoraContact[] = []
  for (const item of [...contacts, a.billTo, a.soldTo]) {
    if (item === undefined || item === null) continue
    const contact = zuoraContact.safeParse(item)
    if (!contact.success) {
      const id = idOf(item)
      return {
        customer: null,
        skipped: [
          {
            externalId: a.id,
            reason: `Zuora account ${a.id} was not synced: its contact ${id ?? '(without id)'} could not be read (${describeIssues(contact.error)}); fix it in Zuora.`,
          },
        ],
      }
    }
    if (!read.some((known) => known.id === contact.data.id)) read.push(contact.data)
  }
  const skipped: SkippedRecord[] = []
  const billTo = read.find((c) => c.id === a.billToId) ?? null
  const customer: SourceCustomer = {
    externalId: a.id,
    name: a.name.trim(),
    accountingCode: text(a.accountNumber),
    vatNumber: text(a.vATId)?.toUpperCase().replace(/\s+/g, '') ?? null,
    // The Bill To address: lines, then the state, as Roster has one address field and no state.
    address: joinLines(billTo?.address1, billTo?.address2, billTo?.state),
    postalCode: text(billTo?.postalCode) ?? text(billTo?.zipCode),
    city: text(billTo?.city),
    country: countryCode(billTo?.country),
    currency: currencyCode(a.currency),
    archived: a.status === 'Canceled',
    contacts: contactList(a.id, a.billToId, a.soldToId, read, skipped),
  }
  return { customer, skipped }
}

function contactList(
  accountId: string,
  billToId: string | null | undefined,
  soldToId: string | null | undefined,
  read: ZuoraContact[],
  skipped: SkippedRecord[],
): SourceContact[] {
  // Bill To first, then Sold To, then the others in the order Zuora lists them.
  const rank = (c: ZuoraContact) => (c.id === billToId ? 0 : c.id === soldToId ? 1 : 2)
  const ordered = [...read].sort((x, y) => rank(x) - rank(y))
  const kept: SourceContact[] = []
  for (const c of ordered) {
    const given = text(c.workEmail) ?? text(c.personalEmail)
    // Work email first, the personal one when the work one is missing or not an address.
    const email = validEmail(c.workEmail) ?? validEmail(c.personalEmail)
    if (email === null) {
      if (given !== null) skipped.push(badEmail(accountId, c.id, given))
      continue
    }
    const isMain = c.id === billToId
    const candidate: SourceContact = {
      externalId: c.id,
      email,
      firstName: text(c.firstName),
      lastName: text(c.lastName),
      phone: text(c.workPhone) ?? text(c.mobilePhone) ?? text(c.homePhone) ?? text(c.otherPhone),
      role: roleOf(c.id, billToId, soldToId),
      isMain,
    }
    // The same person twice (Sold To as a copy of Bill To): one contact, the main one kept.
    const same = kept.find((known) => known.email.toLowerCase() === email.toLowerCase())
    if (same) merge(same, candidate)
    else kept.push(candidate)
  }
  return kept
}

/** Bill To receives the invoices; Sold To is who bought. */
function roleOf(
  id: string,
  billToId: string | null | undefined,
  soldToId: string | null | undefined,
): ContactRole | null {
  if (id === billToId) return 'ACCOUNTING'
  if (id === soldToId) return 'PURCHASER'
  return null
}

function merge(kept: SourceContact, duplicate: SourceContact): void {
  kept.firstName ??= duplicate.firstName
  kept.lastName ??= duplicate.lastName
  kept.phone ??= duplicate.phone
  kept.role ??= duplicate.role
}

function idOf(raw: unknown): string | null {
  return typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
    ? (raw as { id: string }).id
    : null
}

function skippedAccount(raw: unknown, why: string): SkippedRecord {
  const id = idOf(raw)
  return {
    externalId: id,
    reason: `Zuora account ${id ?? '(without id)'} could not be read (${why}); fix it in Zuora.`,
  }
}
