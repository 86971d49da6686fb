import { customerCatalogue, rosterOwned } from '../../contracts/fields.ts'
import { AppError } from '../../platform/errors.ts'
import { systemNames, type SourceSystem } from './systems.ts'

/**
 * What a source of truth owns, and so what Roster shows read-only. A synced customer's own
 * fields belong to its connection; account managers and workflow stay Roster's. Contacts belong
 * to the organisation's contact source: the contacts of the customers that connection brings
 * or matched (a CRM's accounts), and those it brought itself, until contacts are disconnected. The import plan applies the same rules in SQL (imports/apply/plan.ts).
 */
export const rosterOwnedCustomerFields = new Set(rosterOwned(customerCatalogue))

export interface OwnedCustomer {
  sourceSystem: SourceSystem | null
  sourceConnectionId: string | null
}

/** The organisation's contact source: a connection, or null when Roster owns the contacts. */
export interface ContactSourceState {
  contactsDisconnectedAt: Date | null
  contactSource: { connectionId: string; system: SourceSystem } | null
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
 * Whose contacts a customer has: its own connection's, or those of the contact source that
 * matched it to one of its accounts (a CRM, `contactsConnectionId`).
 */
export interface OwnedContacts {
  sourceConnectionId: string | null
  contactsConnectionId?: string | null
}

/** The system that owns a customer's contacts (or one contact of it), or null when Roster does. */
export function contactOwner(
  organization: ContactSourceState,
  customer: OwnedContacts,
  contact?: { sourceConnectionId: string | null },
): SourceSystem | null {
  const source = organization.contactSource
  if (organization.contactsDisconnectedAt || !source) return null
  const owned =
    customer.sourceConnectionId === source.connectionId ||
    customer.contactsConnectionId === source.connectionId ||
    contact?.sourceConnectionId === source.connectionId
  return owned ? source.system : null
}

export function assertContactsEditable(
  organization: ContactSourceState,
  customer: OwnedContacts,
  contact?: { sourceConnectionId: string | null },
): void {
  const owner = contactOwner(organization, customer, contact)
  if (!owner) return
  const name = systemNames[owner]
  throw new AppError(
    'source_owned',
    `Contacts of this customer are synced from ${name}: change them in ${name}.`,
  )
}

/** The contact source state from a row that was read with its organisation (lists, JSON). */
export function contactSourceOf(row: {
  contactsDisconnectedAt: Date | null
  contactSourceConnectionId: string | null
  contactSourceSystem: SourceSystem | null
}): ContactSourceState {
  const { contactsDisconnectedAt, contactSourceConnectionId, contactSourceSystem } = row
  return {
    contactsDisconnectedAt,
    contactSource:
      contactSourceConnectionId && contactSourceSystem && !contactsDisconnectedAt
        ? { connectionId: contactSourceConnectionId, system: contactSourceSystem }
        : null,
  }
}
