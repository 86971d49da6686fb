import {
  countryCode,
  currencyCode,
  describeIssues,
  joinLines,
  text,
  validEmail,
} from '../common.ts'
import type { SkippedRecord, SourceContact, SourceCustomer } from '../types.ts'
import { stripeCustomer, type StripeCustomer } from './schemas.ts'

export interface Mapped {
  customer: SourceCustomer | null
  skipped: SkippedRecord[]
}

/**
 * Stripe's contact rule: one contact per customer, the customer-level person (email, name,
 * phone); shipping and card holder names are never contacts.
 */
export function mapStripeCustomer(raw: unknown, options: { deleted?: boolean } = {}): Mapped {
  const parsed = stripeCustomer.safeParse(raw)
  if (!parsed.success) {
    return { customer: null, skipped: [skippedCustomer(raw, describeIssues(parsed.error))] }
  }
  const c = parsed.data
  const skipped: SkippedRecord[] = []
  const address = c.address ?? null
  const customer: SourceCustomer = {
    externalId: c.id,
    // Company label: the name, else the email, else the description, else the id.
    name: text(c.name) ?? text(c.email) ?? text(c.description) ?? c.id,
    // Stripe has no accounting code; none is guessed from metadata or invoice_prefix.
    accountingCode: null,
    vatNumber: vatNumber(c),
    // Lines, then the state (US, CA…), as Roster has one address field and no state.
    address: joinLines(address?.line1, address?.line2, address?.state),
    postalCode: text(address?.postal_code),
    city: text(address?.city),
    country: countryCode(address?.country),
    currency: currencyCode(c.currency),
    // Deleted customers come from customer.deleted events; Stripe has no archived flag.
    archived: options.deleted === true,
    contacts: [],
  }
  const contact = mainContact(c)
  if (contact) customer.contacts.push(contact)
  else if (text(c.email) !== null) {
    skipped.push({
      externalId: c.id,
      reason: `The email "${text(c.email) ?? ''}" of Stripe customer ${c.id} is not a valid address: the customer is synced without a contact.`,
    })
  }
  return { customer, skipped }
}

function mainContact(c: StripeCustomer): SourceContact | null {
  // No email, no contact: Roster's contacts need one.
  const email = validEmail(c.email)
  if (email === null) return null
  return {
    // The customer's own id: Stripe has one contact per customer, so it never changes.
    externalId: c.id,
    email,
    // The name is kept whole in the last name: it is often a company, and splitting
    // "Van der Berg" or "Acme Industries SAS" on a space would invent a first name.
    firstName: null,
    lastName: text(c.name),
    phone: text(c.phone),
    // Stripe does not say what the person does.
    role: null,
    isMain: true,
  }
}

/**
 * The VAT number among the customer's tax ids: VAT and GST ids only (an EIN or a company number
 * is not a VAT number), those of the customer's country first, then the EU ones, then any.
 */
function vatNumber(c: StripeCustomer): string | null {
  const ids = (c.tax_ids?.data ?? []).filter(
    (id) => /(^|_)(vat|gst|hst|trn)(_|$)/.test(id.type) && text(id.value) !== null,
  )
  const country = c.address?.country?.toUpperCase()
  const score = (id: { type: string; country?: string | null }): number =>
    (country !== undefined && id.country?.toUpperCase() === country ? 2 : 0) +
    (id.type === 'eu_vat' ? 1 : 0)
  const best = ids.reduce<(typeof ids)[number] | null>(
    (chosen, id) => (chosen === null || score(id) > score(chosen) ? id : chosen),
    null,
  )
  return best ? text(best.value) : null
}

function skippedCustomer(raw: unknown, why: string): SkippedRecord {
  const id =
    typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
      ? (raw as { id: string }).id
      : null
  return {
    externalId: id,
    reason: `Stripe customer ${id ?? '(without id)'} could not be read (${why}); fix it in Stripe.`,
  }
}
