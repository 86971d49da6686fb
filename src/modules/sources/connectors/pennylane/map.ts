import { countryCode, describeIssues, joinLines, text, validEmail } from '../common.ts'
import type { SkippedRecord, SourceContact, SourceCustomer } from '../types.ts'
import { pennylaneCustomer, type PennylaneCustomer } from './schemas.ts'

export interface Mapped {
  customer: SourceCustomer | null
  skipped: SkippedRecord[]
}

/**
 * Pennylane's contact rule: one contact per address of the customer's email list ("Email
 * address (optional)"), the first valid one main. Company and individual customers alike.
 */
export function mapPennylaneCustomer(raw: unknown): Mapped {
  const parsed = pennylaneCustomer.safeParse(raw)
  if (!parsed.success) {
    return { customer: null, skipped: [skippedCustomer(raw, describeIssues(parsed.error))] }
  }
  const c = parsed.data
  const id = String(c.id)
  const skipped: SkippedRecord[] = []
  const address = c.billing_address ?? null
  const customer: SourceCustomer = {
    externalId: id,
    name: text(c.name) ?? joinName(c.first_name, c.last_name) ?? '',
    // The customer's ledger account is an internal id in v2, not the account number.
    accountingCode: null,
    vatNumber: text(c.vat_number),
    address: joinLines(address?.address),
    postalCode: text(address?.postal_code),
    city: text(address?.city),
    country: countryCode(address?.country_alpha2),
    // Pennylane keeps no currency on its customers.
    currency: null,
    archived: false,
    contacts: contactList(c, skipped),
  }
  if (customer.name === '') {
    return {
      customer: null,
      skipped: [
        {
          externalId: id,
          reason: `Pennylane customer ${id} has no name; give it one in Pennylane.`,
        },
      ],
    }
  }
  return { customer, skipped }
}

/** A customer deleted at Pennylane (its changelog's `delete`): archived with its contacts. */
export function deletedPennylaneCustomer(id: number): SourceCustomer {
  return {
    externalId: String(id),
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

function contactList(c: PennylaneCustomer, skipped: SkippedRecord[]): SourceContact[] {
  const contacts: SourceContact[] = []
  const known = new Set<string>()
  for (const entry of c.emails ?? []) {
    const given = typeof entry === 'string' ? text(entry) : null
    if (given === null) {
      if (typeof entry !== 'string' && entry !== null) {
        skipped.push(badEntry(c.id, JSON.stringify(entry)))
      }
      continue
    }
    const email = validEmail(given)
    if (email === null) {
      skipped.push(badEntry(c.id, given))
      continue
    }
    // The same address twice (any case) is one person: the first one stays.
    const key = email.toLowerCase()
    if (known.has(key)) continue
    known.add(key)
    const isMain = contacts.length === 0
    // Only the main contact carries the customer's phone, and an individual's own name.
    const individual = isMain && c.customer_type === 'individual'
    contacts.push({
      externalId: key,
      email,
      firstName: individual ? text(c.first_name) : null,
      lastName: individual ? text(c.last_name) : null,
      phone: isMain ? text(c.phone) : null,
      role: null,
      isMain,
    })
  }
  return contacts
}

function badEntry(id: number, value: string): SkippedRecord {
  return {
    externalId: `${id}/${value}`,
    reason: `An email of Pennylane customer ${id} was left out: "${value}" is not a valid email address.`,
  }
}

function joinName(first: string | null | undefined, last: string | null | undefined) {
  const name = [text(first), text(last)].filter((part) => part !== null).join(' ')
  return name === '' ? null : name
}

function skippedCustomer(raw: unknown, why: string): SkippedRecord {
  const id =
    typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number'
      ? String((raw as { id: number }).id)
      : null
  return {
    externalId: id,
    reason: `Pennylane customer ${id ?? '(without id)'} could not be read (${why}); fix it in Pennylane.`,
  }
}
