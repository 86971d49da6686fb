import { badEmail, countryCode, describeIssues, joinLines, text, validEmail } from '../common.ts'
import type { ContactRole, SkippedRecord, SourceContact, SourceCustomer } from '../types.ts'
import {
  sellsyCompany,
  sellsyContact,
  sellsyIndividual,
  type SellsyCompany,
  type SellsyContact,
} from './schemas.ts'

export interface Mapped {
  customer: SourceCustomer | null
  skipped: SkippedRecord[]
}

/** Companies keep Sellsy's id as Customer ID; individuals, whose ids are their own, a prefix. */
export const companyId = (id: number): string => String(id)
export const individualId = (id: number): string => `ind-${id}`

/**
 * Sellsy's contact rule for a company: its main contact (`main_contact_id`) is the main one, its
 * other contacts additional ones; archived contacts and those without an email are left out, and
 * no other contact is promoted when the company has no main contact. The invoicing contact is
 * the accounting one, the dunning contact the payer.
 */
export function mapSellsyCompany(raw: unknown, rawContacts: unknown[]): Mapped {
  const parsed = sellsyCompany.safeParse(raw)
  if (!parsed.success) return unreadable('company', raw, describeIssues(parsed.error))
  const c = parsed.data
  const externalId = companyId(c.id)
  const contacts = readContacts('company', externalId, rawContacts)
  if (!Array.isArray(contacts)) return { customer: null, skipped: [contacts] }
  const skipped: SkippedRecord[] = []
  const main = contacts.find((ct) => ct.id === c.main_contact_id)
  const people = [main, ...contacts.filter((ct) => ct !== main)].filter(
    (ct): ct is SellsyContact => ct !== undefined,
  )
  const list = contactList(externalId, people, c, main?.id ?? null, skipped)
  return { customer: customer(externalId, text(c.name) ?? externalId, c, list), skipped }
}

/**
 * An individual (a natural person as customer): the person itself is the main contact, the
 * contacts linked to it additional ones.
 */
export function mapSellsyIndividual(raw: unknown, rawContacts: unknown[]): Mapped {
  const parsed = sellsyIndividual.safeParse(raw)
  if (!parsed.success) return unreadable('individual', raw, describeIssues(parsed.error))
  const i = parsed.data
  const externalId = individualId(i.id)
  const contacts = readContacts('individual', externalId, rawContacts)
  if (!Array.isArray(contacts)) return { customer: null, skipped: [contacts] }
  const skipped: SkippedRecord[] = []
  const self: SellsyContact = { ...i, id: i.id, position: null }
  const list = contactList(externalId, [self, ...contacts], i, i.id, skipped)
  // The person's own entry keeps the customer's id, so it stays one contact whatever it becomes.
  const own = list.find((ct) => ct.isMain)
  if (own) own.externalId = externalId
  const name = [text(i.first_name), text(i.last_name)].filter(Boolean).join(' ')
  return { customer: customer(externalId, name === '' ? externalId : name, i, list), skipped }
}

type Owner = Pick<SellsyCompany, 'auxiliary_code' | 'is_archived' | 'type' | '_embed'> & {
  legal_france?: SellsyCompany['legal_france']
  invoicing_contact_id?: number | null
  dunning_contact_id?: number | null
}

function customer(
  externalId: string,
  name: string,
  c: Owner,
  contacts: SourceContact[],
): SourceCustomer {
  const address = c._embed?.invoicing_address ?? null
  // Only clients are customers: archived ones, and those that became prospects or suppliers,
  // are archived in Roster with their contacts.
  const archived = c.is_archived || c.type !== 'client'
  return {
    externalId,
    name,
    accountingCode: text(c.auxiliary_code),
    vatNumber: text(c.legal_france?.vat),
    address: joinLines(
      address?.address_line_1,
      address?.address_line_2,
      address?.address_line_3,
      address?.address_line_4,
    ),
    postalCode: text(address?.postal_code),
    city: text(address?.city),
    country: countryCode(address?.country_code),
    // Sellsy keeps the currency on documents, not on the customer.
    currency: null,
    archived,
    contacts: archived ? [] : contacts,
  }
}

/**
 * Every contact read, or the reason the customer is skipped: one unreadable contact keeps the
 * whole customer as it was in Roster rather than removing that contact.
 */
function readContacts(
  kind: string,
  externalId: string,
  raws: unknown[],
): SellsyContact[] | SkippedRecord {
  const contacts: SellsyContact[] = []
  for (const raw of raws) {
    const parsed = sellsyContact.safeParse(raw)
    if (!parsed.success) {
      return {
        externalId,
        reason: `A contact of Sellsy ${kind} ${externalId} could not be read (${describeIssues(parsed.error)}); the ${kind} was left as it was, fix the contact in Sellsy.`,
      }
    }
    contacts.push(parsed.data)
  }
  return contacts
}

/** The main one first, then the others; one contact per email, the main one kept. */
function contactList(
  externalId: string,
  people: SellsyContact[],
  owner: Owner,
  mainId: number | null,
  skipped: SkippedRecord[],
): SourceContact[] {
  const list: SourceContact[] = []
  for (const ct of people) {
    if (ct.is_archived === true) continue
    const email = validEmail(ct.email)
    if (email === null) {
      const given = text(ct.email)
      if (given !== null) skipped.push(badEmail(externalId, String(ct.id), given))
      continue
    }
    const candidate: SourceContact = {
      externalId: String(ct.id),
      email,
      firstName: text(ct.first_name),
      lastName: text(ct.last_name),
      phone: text(ct.phone_number) ?? text(ct.mobile_number),
      role: roleOf(ct.id, owner),
      isMain: ct.id === mainId,
    }
    const same = list.find((known) => known.email.toLowerCase() === email.toLowerCase())
    if (same) {
      same.firstName ??= candidate.firstName
      same.lastName ??= candidate.lastName
      same.phone ??= candidate.phone
      same.role ??= candidate.role
    } else list.push(candidate)
  }
  return list
}

function roleOf(id: number, owner: Owner): ContactRole | null {
  if (id === owner.invoicing_contact_id) return 'ACCOUNTING'
  if (id === owner.dunning_contact_id) return 'PAYER'
  return null
}

function unreadable(kind: string, raw: unknown, why: string): Mapped {
  const id = (raw as { id?: unknown } | null)?.id
  const known =
    typeof id === 'number' ? (kind === 'company' ? companyId(id) : individualId(id)) : null
  return {
    customer: null,
    skipped: [
      {
        externalId: known,
        reason: `Sellsy ${kind} ${known ?? '(without id)'} could not be read (${why}); fix it in Sellsy.`,
      },
    ],
  }
}
