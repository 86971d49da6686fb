import { and, eq, ne } from 'drizzle-orm'
import type { Warning } from '../../contracts/common.ts'
import type { Contact, ContactCreate, ContactPatch } from '../../contracts/contacts.ts'
import { auditSnapshot, contactCatalogue, writtenAsIs } from '../../contracts/fields.ts'
import type { DbOrTx, Tx } from '../../platform/db/client.ts'
import { contacts } from '../../platform/db/schema/index.ts'
import { AppError, isUniqueViolation, notFound } from '../../platform/errors.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { lockCustomer, type LockedCustomer } from '../customers/customers.service.ts'
import { contactSourceState } from '../organizations/contact-source.service.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import { assertContactsEditable } from '../sources/ownership.ts'
import { findContact, findContactWithSource } from './contacts.queries.ts'
import { normalizePhone } from './phone.ts'

/**
 * The fields written as the API gives them (the catalogue's); the phone is normalised and the
 * main flag moves, below.
 */
const writtenFields = writtenAsIs(contactCatalogue).filter(
  (key) => key !== 'phone' && key !== 'isMain',
) as Exclude<Extract<keyof ContactCreate, keyof typeof contacts.$inferInsert>, 'phone' | 'isMain'>[]

function conflictOn(
  error: unknown,
  email: string | undefined,
  externalId: string | null | undefined,
): never {
  if (isUniqueViolation(error, 'contacts_email_unique')) {
    throw new AppError(
      'conflict',
      `This customer already has a contact with the email ${email ?? ''}.`,
      [{ path: 'email', message: 'Already a contact of this customer.' }],
    )
  }
  if (isUniqueViolation(error, 'contacts_external_id_unique')) {
    throw new AppError(
      'conflict',
      `This customer already has a contact with the contact ID "${externalId ?? ''}".`,
      [{ path: 'externalId', message: 'Already used by another contact of this customer.' }],
    )
  }
  throw error
}

/** Making a contact main unsets the customer's previous main contact (the customer is locked). */
async function clearMain(
  tx: DbOrTx,
  customer: LockedCustomer,
  except: string | null,
): Promise<void> {
  await tx
    .update(contacts)
    .set({ isMain: false, updatedAt: new Date() })
    .where(
      and(
        eq(contacts.organizationId, customer.organizationId),
        eq(contacts.customerId, customer.id),
        eq(contacts.isMain, true),
        except ? ne(contacts.id, except) : undefined,
      ),
    )
}

const snapshot = (contact: Contact): Record<string, unknown> =>
  auditSnapshot(contactCatalogue, contact)

async function readBack(tx: DbOrTx, organizationId: string, id: string): Promise<Contact> {
  const contact = await findContact(tx, organizationId, id)
  if (!contact) throw notFound('Contact')
  return contact
}

function phoneOf(
  phone: string | null | undefined,
  defaultCountry: string | null,
  warnings: Warning[],
): string | null | undefined {
  if (!phone) return phone
  const result = normalizePhone(phone, defaultCountry)
  if (result.warning) warnings.push({ field: 'phone', message: result.warning })
  return result.phone
}

export async function createContact(
  tx: Tx,
  scope: Scope,
  customerId: string,
  input: ContactCreate,
): Promise<{ contact: Contact; warnings: Warning[] }> {
  const org = scope.organizationId
  const customer = await lockCustomer(tx, org, customerId)
  const state = await contactSourceState(tx, org)
  assertContactsEditable(state, customer)
  const warnings: Warning[] = []
  if (input.isMain) await clearMain(tx, customer, null)
  const [row] = await tx
    .insert(contacts)
    .values({
      organizationId: org,
      customerId,
      ...Object.fromEntries(writtenFields.map((key) => [key, input[key] ?? null])),
      email: input.email,
      phone: phoneOf(input.phone, state.defaultCountry, warnings) ?? null,
      isMain: input.isMain ?? false,
    })
    .returning({ id: contacts.id })
    .catch((error: unknown) => conflictOn(error, input.email, input.externalId))
  if (!row) throw new Error('insert returned no row')
  const contact = await readBack(tx, org, row.id)
  await recordAudit(tx, scope, {
    entity: 'contact',
    entityId: row.id,
    customerId,
    action: 'create',
    before: null,
    after: snapshot(contact),
  })
  return { contact, warnings }
}

/** Locks the contact's customer, then reads the contact as it is under that lock (or 404). */
async function lockContact(
  tx: Tx,
  organizationId: string,
  id: string,
): Promise<{ customer: LockedCustomer; before: Contact; sourceConnectionId: string | null }> {
  const found = await findContact(tx, organizationId, id)
  if (!found) throw notFound('Contact')
  const customer = await lockCustomer(tx, organizationId, found.customerId)
  const locked = await findContactWithSource(tx, organizationId, id)
  if (!locked) throw notFound('Contact')
  return { customer, before: locked.contact, sourceConnectionId: locked.sourceConnectionId }
}

export async function updateContact(
  tx: Tx,
  scope: Scope,
  id: string,
  patch: ContactPatch,
): Promise<{ contact: Contact; warnings: Warning[] }> {
  const org = scope.organizationId
  const { customer, before, sourceConnectionId } = await lockContact(tx, org, id)
  const state = await contactSourceState(tx, org)
  assertContactsEditable(state, customer, { sourceConnectionId })
  const warnings: Warning[] = []
  const set: Partial<typeof contacts.$inferInsert> = {}
  for (const key of writtenFields) {
    const value = patch[key]
    if (value !== undefined) Object.assign(set, { [key]: value })
  }
  // A corrected email is worth trying again: its bounce mark goes.
  if (patch.email !== undefined && patch.email.toLowerCase() !== before.email?.toLowerCase()) {
    Object.assign(set, { bouncedAt: null, bounceReason: null })
  }
  if (patch.phone !== undefined) set.phone = phoneOf(patch.phone, state.defaultCountry, warnings)
  if (patch.isMain !== undefined) {
    if (patch.isMain) await clearMain(tx, customer, id)
    set.isMain = patch.isMain
  }
  if (Object.keys(set).length > 0) {
    await tx
      .update(contacts)
      .set({ ...set, updatedAt: new Date() })
      .where(and(eq(contacts.organizationId, org), eq(contacts.id, id)))
      .catch((error: unknown) => conflictOn(error, patch.email, patch.externalId))
  }
  const contact = await readBack(tx, org, id)
  // A bounce mark the edit cleared is in the history with it, as its marking is (bounces.service.ts).
  const bounce = (c: Contact) =>
    before.bouncedAt && !contact.bouncedAt ? { bounceReason: c.bounceReason } : {}
  const was = { ...snapshot(before), ...bounce(before) }
  const is = { ...snapshot(contact), ...bounce(contact) }
  if (JSON.stringify(is) !== JSON.stringify(was)) {
    await recordAudit(tx, scope, {
      entity: 'contact',
      entityId: id,
      customerId: customer.id,
      action: 'update',
      before: was,
      after: is,
    })
  }
  return { contact, warnings }
}

export async function deleteContact(tx: Tx, scope: Scope, id: string): Promise<void> {
  const org = scope.organizationId
  const { customer, before, sourceConnectionId } = await lockContact(tx, org, id)
  assertContactsEditable(await contactSourceState(tx, org), customer, { sourceConnectionId })
  await tx.delete(contacts).where(and(eq(contacts.organizationId, org), eq(contacts.id, id)))
  await recordAudit(tx, scope, {
    entity: 'contact',
    entityId: id,
    customerId: customer.id,
    action: 'delete',
    before: snapshot(before),
    after: null,
  })
}
