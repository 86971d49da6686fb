import { AppError } from '../../platform/errors.ts'
import { systemNames, type SourceSystem } from './systems.ts'

/**
 * What a source of truth owns, and so what Roster shows read-only (product.md, "Sources of
 * truth"). A synced customer's own fields belong to its source; account managers and workflow
 * stay Roster's. Its contacts belong to the source too, until contacts are disconnected.
 */
export const rosterOwnedCustomerFields = new Set(['accountManagers', 'workflow'])

export interface OwnedCustomer {
  sourceSystem: SourceSystem | null
}

export interface ContactSourceState {
  contactsDisconnectedAt: Date | null
}

export function assertCustomerFieldsEditable(customer: OwnedCustomer, fields: string[]): void {
  if (!customer.sourceSystem) return
  const owned = fields.filter((field) => !rosterOwnedCustomerFields.has(field))
  if (owned.length === 0) return
  const name = systemNames[customer.sourceSystem]
  throw new AppError(
    'source_owned',
    `This customer is synced from ${name}: change ${owned.join(', ')} in ${name}.`,
    owned.map((path) => ({ path, message: `Owned by ${name}.` })),
  )
}

export function assertCustomerDeletable(customer: OwnedCustomer): void {
  if (!customer.sourceSystem) return
  const name = systemNames[customer.sourceSystem]
  throw new AppError('source_owned', `This customer is synced from ${name}: delete it in ${name}.`)
}

/**
 * The source whose sync owns a customer's contacts (or one of them): null when Roster does,
 * because the customer and contact are Roster's or the organisation disconnected its contacts.
 */
export function contactsOwner(
  organization: ContactSourceState,
  customer: OwnedCustomer,
  contact?: { sourceSystem: SourceSystem | null },
): SourceSystem | null {
  if (organization.contactsDisconnectedAt) return null
  return customer.sourceSystem ?? contact?.sourceSystem ?? null
}

export function assertContactsEditable(
  organization: ContactSourceState,
  customer: OwnedCustomer,
  contact?: { sourceSystem: SourceSystem | null },
): void {
  const owner = contactsOwner(organization, customer, contact)
  if (!owner) return
  const name = systemNames[owner]
  throw new AppError(
    'source_owned',
    `Contacts of this customer are synced from ${name}: change them in ${name}.`,
  )
}
