import { badEmail, describeIssues, text, validEmail } from '../common.ts'
import type { ContactRole, SkippedRecord, SourceContact, SourceCustomer } from '../types.ts'
import { contactRow, customerRow, type ContactRow, type CustomerRow } from './schemas.ts'

export interface Mapped {
  customer: SourceCustomer | null
  skipped: SkippedRecord[]
}

/** NetSuite's standard "Primary Contact" role on a contact relationship. */
const primaryContactRole = '-10'

/**
 * NetSuite's contact rule: the customer's own email is the main contact; the contacts related to
 * the customer (`companycontactrelationship`) whose own company is that customer are additional
 * ones — a contact of another company (the group parent, a sub-customer, a subsidiary) related
 * to it is left out, and so are inactive ones. Without an email of its own, the related contact
 * with the Primary Contact role becomes main. Inactive customers are archived.
 *
 * `contacts` are the relationship rows of this customer. A row that cannot be read skips the
 * whole customer, so its contacts are never half applied.
 */
export function mapNetSuiteCustomer(raw: unknown, contacts: unknown[]): Mapped {
  const parsed = customerRow.safeParse(raw)
  if (!parsed.success) {
    return { customer: null, skipped: [skippedCustomer(raw, describeIssues(parsed.error))] }
  }
  const c = parsed.data
  const rows: ContactRow[] = []
  for (const rawContact of contacts) {
    const row = contactRow.safeParse(rawContact)
    if (!row.success) {
      const contactId = idOf(rawContact, 'contact') ?? '(without id)'
      return {
        customer: null,
        skipped: [
          {
            externalId: c.id,
            reason: `NetSuite customer ${c.id} was left unchanged: its contact ${contactId} could not be read (${describeIssues(row.error)}); fix it in NetSuite.`,
          },
        ],
      }
    }
    rows.push(row.data)
  }
  const archived = c.isinactive === 'T'
  const skipped: SkippedRecord[] = []
  const customer: SourceCustomer = {
    externalId: c.id,
    name: customerName(c),
    accountingCode: text(c.accountnumber),
    vatNumber: null,
    address: null,
    postalCode: null,
    city: null,
    country: null,
    currency: null,
    archived,
    contacts: archived ? [] : contactList(c, rows, skipped),
  }
  return { customer, skipped }
}

/** A customer NetSuite no longer has (deleted): archived with its contacts. */
export function deletedCustomer(id: string): SourceCustomer {
  return {
    externalId: id,
    name: '',
    accountingCode: null,
    vatNumber: null,
    address: null,
    postalCode: null,
    city: null,
    country: null,
    currency: null,
    archived: true,
    contacts: [],
  }
}

/** Company name; a person's first and last name; else the entity id (the Customer ID). */
function customerName(c: CustomerRow): string {
  const person = [text(c.firstname), text(c.lastname)].filter((part) => part !== null).join(' ')
  if (c.isperson === 'T' && person !== '') return person
  return text(c.companyname) ?? (person === '' ? null : person) ?? text(c.entityid) ?? c.id
}

function contactList(c: CustomerRow, rows: ContactRow[], skipped: SkippedRecord[]) {
  const own = rows.filter((row) => row.company === c.id && row.isinactive !== 'T')
  const people: { row: ContactRow; contact: SourceContact }[] = []
  for (const row of own) {
    const email = validEmail(row.email)
    if (email === null) {
      // Roster's contacts need an email: one without is dropped, a malformed one reported.
      if (text(row.email) !== null) skipped.push(badEmail(c.id, row.contact, text(row.email) ?? ''))
      continue
    }
    people.push({
      row,
      contact: {
        externalId: row.contact,
        email,
        firstName: text(row.firstname),
        lastName: text(row.lastname),
        phone: text(row.phone),
        role: roleOf(row.title),
        isMain: false,
      },
    })
  }

  let main: SourceContact | null = null
  const ownEmail = text(c.email)
  if (ownEmail !== null) {
    const email = validEmail(ownEmail)
    if (email === null) {
      skipped.push({
        externalId: c.id,
        reason: `The email "${ownEmail}" of NetSuite customer ${c.id} is not a valid address: it was left out of the contacts.`,
      })
    } else {
      const person = c.isperson === 'T'
      main = {
        externalId: c.id,
        email,
        firstName: person ? text(c.firstname) : null,
        lastName: person ? text(c.lastname) : null,
        phone: text(c.phone),
        role: null,
        isMain: true,
      }
    }
  }
  if (main === null) {
    const primary = people.find((p) => p.row.role === primaryContactRole)
    if (primary) main = { ...primary.contact, isMain: true }
  }

  const additional: SourceContact[] = []
  for (const { contact } of people) {
    if (main?.externalId === contact.externalId) continue
    // The same email twice is one person: its names and title go on the one kept.
    const same = [...(main ? [main] : []), ...additional].find(
      (known) => known.email.toLowerCase() === contact.email.toLowerCase(),
    )
    if (same) merge(same, contact)
    else additional.push(contact)
  }
  return main ? [main, ...additional] : additional
}

function merge(kept: SourceContact, duplicate: SourceContact): void {
  kept.firstName ??= duplicate.firstName
  kept.lastName ??= duplicate.lastName
  kept.phone ??= duplicate.phone
  kept.role ??= duplicate.role
}

/** A role only when the job title clearly says it, in English or French. */
const titleRoles: [RegExp, ContactRole][] = [
  [
    /accounts?\s+payable|accounting|accountant|bookkeep|billing|invoic|comptab|factur/i,
    'ACCOUNTING',
  ],
  [/purchas|procure|buyer|achat|acheteu/i, 'PURCHASER'],
  [/payer|payment|paiement|règlement|reglement|treasur|trésor|tresor/i, 'PAYER'],
  [/\bsales?\b|commercial|vente/i, 'SALES'],
]

export function roleOf(title: string | null | undefined): ContactRole | null {
  const value = text(title)
  if (value === null) return null
  return titleRoles.find(([pattern]) => pattern.test(value))?.[1] ?? null
}

function idOf(raw: unknown, key: string): string | null {
  if (typeof raw !== 'object' || raw === null) return null
  const value = (raw as Record<string, unknown>)[key]
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null
}

function skippedCustomer(raw: unknown, why: string): SkippedRecord {
  const id = idOf(raw, 'id')
  return {
    externalId: id,
    reason: `NetSuite customer ${id ?? '(without id)'} could not be read (${why}); fix it in NetSuite.`,
  }
}
