import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Warning } from '../../contracts/common.ts'
import { auditSnapshot, customerCatalogue, writtenAsIs } from '../../contracts/fields.ts'
import {
  BULK_FILTER_LIMIT,
  type Customer,
  type CustomerBulkFilter,
  type CustomerCreate,
  type CustomerPatch,
} from '../../contracts/customers.ts'
import type { DbOrTx, Tx } from '../../platform/db/client.ts'
import {
  connections,
  customerAccountManagers,
  customers,
  reminders,
  workflows,
} from '../../platform/db/schema/index.ts'
import { AppError, isUniqueViolation, notFound, type ErrorDetail } from '../../platform/errors.ts'
import { recordAudit } from '../audit/audit.service.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import { membersByEmail } from '../organizations/members.service.ts'
import { assertCustomerDeletable, assertCustomerFieldsEditable } from '../sources/ownership.ts'
import { systemNames, type SourceSystem } from '../sources/systems.ts'
import { matchingCustomerIds } from './customer-list.queries.ts'
import { findCustomer } from './customers.queries.ts'

type CustomerRow = typeof customers.$inferSelect
export type LockedCustomer = CustomerRow & { sourceSystem: SourceSystem | null }

export const ACCOUNT_MANAGER_NOT_FOUND = 'Account manager not found; check the email.'

/**
 * Loads a live customer of the organisation and locks it for the rest of the transaction. An
 * archived one is refused (restore it first), unless `archived: true` asks for it too.
 */
export async function lockCustomer(
  tx: DbOrTx,
  organizationId: string,
  id: string,
  options: { archived?: boolean } = {},
): Promise<LockedCustomer> {
  const [row] = await tx
    .select({ customer: customers, sourceSystem: connections.system })
    .from(customers)
    .leftJoin(
      connections,
      and(
        eq(connections.organizationId, customers.organizationId),
        eq(connections.id, customers.sourceConnectionId),
      ),
    )
    .where(and(eq(customers.organizationId, organizationId), eq(customers.id, id)))
    .for('update', { of: customers })
  if (!row) throw notFound('Customer')
  if (row.customer.archivedAt && !options.archived) {
    throw new AppError(
      'conflict',
      `The customer ${row.customer.name} is archived: restore it before changing it or sending it a reminder.`,
    )
  }
  return { ...row.customer, sourceSystem: row.sourceSystem }
}

/** Member ids of account-manager emails; every email must be a member with that role. */
async function accountManagerIds(
  tx: DbOrTx,
  organizationId: string,
  emails: string[],
): Promise<string[]> {
  const found = await membersByEmail(tx, organizationId, emails)
  const problems: ErrorDetail[] = []
  const ids = new Set<string>()
  emails.forEach((email, index) => {
    const member = found.get(email.toLowerCase())
    if (member?.role !== 'account_manager') {
      problems.push({ path: `accountManagers.${index}`, message: ACCOUNT_MANAGER_NOT_FOUND })
    } else ids.add(member.id)
  })
  if (problems.length > 0)
    throw new AppError('validation_failed', ACCOUNT_MANAGER_NOT_FOUND, problems)
  return [...ids]
}

async function workflowId(tx: DbOrTx, organizationId: string, name: string): Promise<string> {
  const [row] = await tx
    .select({ id: workflows.id })
    .from(workflows)
    .where(
      and(
        eq(workflows.organizationId, organizationId),
        eq(sql`lower(${workflows.name})`, name.toLowerCase()),
      ),
    )
  if (!row) {
    throw new AppError('validation_failed', `Workflow "${name}" not found; check its name.`, [
      { path: 'workflow', message: 'No workflow has this name.' },
    ])
  }
  return row.id
}

async function assertValidGroup(
  tx: DbOrTx,
  organizationId: string,
  customerId: string | null,
  groupId: string,
): Promise<void> {
  // Walk up from the proposed group: it must exist and must not lead back to this customer.
  let current: string | null = groupId
  for (let depth = 0; current && depth < 50; depth++) {
    if (current === customerId) {
      throw new AppError('validation_failed', 'A customer cannot be in its own group.', [
        { path: 'groupId', message: 'This would make a loop of groups.' },
      ])
    }
    const [row]: { groupId: string | null }[] = await tx
      .select({ groupId: customers.groupId })
      .from(customers)
      .where(
        and(
          eq(customers.organizationId, organizationId),
          eq(customers.id, current),
          isNull(customers.archivedAt),
        ),
      )
    if (!row) {
      if (current === groupId) {
        throw new AppError('validation_failed', 'The group customer does not exist.', [
          { path: 'groupId', message: 'No customer has this id.' },
        ])
      }
      return
    }
    current = row.groupId
  }
}

async function replaceAccountManagers(
  tx: DbOrTx,
  organizationId: string,
  customerId: string,
  memberIds: string[],
): Promise<void> {
  await tx
    .delete(customerAccountManagers)
    .where(
      and(
        eq(customerAccountManagers.organizationId, organizationId),
        eq(customerAccountManagers.customerId, customerId),
      ),
    )
  if (memberIds.length > 0) {
    await tx
      .insert(customerAccountManagers)
      .values(memberIds.map((memberId) => ({ organizationId, customerId, memberId })))
  }
}

/** The fields stored as written, one column each (the catalogue's). */
const columnFields = writtenAsIs(customerCatalogue) as Extract<
  keyof CustomerCreate,
  keyof typeof customers.$inferInsert
>[]

function duplicateExternalId(error: unknown, externalId: string | null | undefined): never {
  if (isUniqueViolation(error, 'customers_external_id_unique')) {
    throw new AppError(
      'conflict',
      `Another customer already has the customer ID "${externalId ?? ''}".`,
      [{ path: 'externalId', message: 'Already used by another customer.' }],
    )
  }
  throw error
}

/** The audit trail keeps customers as the catalogue says (src/contracts/fields.ts). */
const snapshot = (customer: Customer): Record<string, unknown> =>
  auditSnapshot(customerCatalogue, customer)

/** What an update may change, ids included (two groups may share a name). */
const ownFields = (customer: Customer): Record<string, unknown> => {
  const {
    createdAt: _c,
    updatedAt: _u,
    mainContact: _m,
    contactsLockedBy: _l,
    bouncedContacts: _b,
    ...rest
  } = customer
  return rest
}

async function readBack(
  tx: DbOrTx,
  organizationId: string,
  id: string,
  options: { archived?: boolean } = {},
): Promise<Customer> {
  const customer = await findCustomer(tx, organizationId, id, options)
  if (!customer) throw notFound('Customer')
  return customer
}

export async function createCustomer(
  tx: Tx,
  scope: Scope,
  input: CustomerCreate,
): Promise<{ customer: Customer; warnings: Warning[] }> {
  const org = scope.organizationId
  if (input.groupId) await assertValidGroup(tx, org, null, input.groupId)
  const managers = input.accountManagers
    ? await accountManagerIds(tx, org, input.accountManagers)
    : []
  const workflow = input.workflow ? await workflowId(tx, org, input.workflow) : null
  const values: typeof customers.$inferInsert = {
    organizationId: org,
    name: input.name,
    workflowId: workflow,
  }
  for (const field of columnFields) {
    const value = input[field]
    if (value !== undefined && field !== 'name') values[field] = value
  }
  const [row] = await tx
    .insert(customers)
    .values(values)
    .returning({ id: customers.id })
    .catch((error: unknown) => duplicateExternalId(error, input.externalId))
  if (!row) throw new Error('insert returned no row')
  await replaceAccountManagers(tx, org, row.id, managers)
  const customer = await readBack(tx, org, row.id)
  await recordAudit(tx, scope, {
    entity: 'customer',
    entityId: row.id,
    customerId: row.id,
    action: 'create',
    before: null,
    after: snapshot(customer),
  })
  return { customer, warnings: [] }
}

export async function updateCustomer(
  tx: Tx,
  scope: Scope,
  id: string,
  patch: CustomerPatch,
): Promise<{ customer: Customer; warnings: Warning[] }> {
  const org = scope.organizationId
  const current = await lockCustomer(tx, org, id)
  const before = await readBack(tx, org, id)
  const changed = columnFields.filter(
    (field) => patch[field] !== undefined && patch[field] !== current[field],
  )
  assertCustomerFieldsEditable(current, changed)
  if (patch.groupId && patch.groupId !== current.groupId) {
    await assertValidGroup(tx, org, id, patch.groupId)
  }
  const set: Partial<typeof customers.$inferInsert> = {}
  for (const field of changed) {
    const value = patch[field]
    if (field === 'name') {
      if (value) set.name = value
    } else if (value !== undefined) set[field] = value
  }
  if (patch.workflow !== undefined) {
    set.workflowId = patch.workflow === null ? null : await workflowId(tx, org, patch.workflow)
  }
  if (patch.accountManagers !== undefined) {
    await replaceAccountManagers(
      tx,
      org,
      id,
      await accountManagerIds(tx, org, patch.accountManagers),
    )
  }
  if (Object.keys(set).length > 0) {
    await tx
      .update(customers)
      .set({ ...set, updatedAt: new Date() })
      .where(and(eq(customers.organizationId, org), eq(customers.id, id)))
      .catch((error: unknown) => duplicateExternalId(error, patch.externalId))
  }
  const customer = await readBack(tx, org, id)
  const after = snapshot(customer)
  if (JSON.stringify(ownFields(customer)) !== JSON.stringify(ownFields(before))) {
    await recordAudit(tx, scope, {
      entity: 'customer',
      entityId: id,
      customerId: id,
      action: 'update',
      before: snapshot(before),
      after,
    })
  }
  return { customer, warnings: [] }
}

/** What keeps a customer from being deleted: the reminders sent to it (its history). */
async function dependants(tx: DbOrTx, organizationId: string, id: string): Promise<ErrorDetail[]> {
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(reminders)
    .where(and(eq(reminders.organizationId, organizationId), eq(reminders.customerId, id)))
  const count = row?.count ?? 0
  return count > 0
    ? [
        {
          path: 'reminders',
          message: `${count} ${count === 1 ? 'reminder was' : 'reminders were'} sent to it.`,
        },
      ]
    : []
}

/**
 * Deletes a customer and its contacts when nothing depends on it; its subsidiaries stay, outside
 * any group. An archived customer may be deleted too. A synced one is deleted in its source.
 */
export async function deleteCustomer(tx: Tx, scope: Scope, id: string): Promise<void> {
  const org = scope.organizationId
  const current = await lockCustomer(tx, org, id, { archived: true })
  assertCustomerDeletable(current)
  const blocking = await dependants(tx, org, id)
  if (blocking.length > 0) {
    throw new AppError(
      'conflict',
      `${current.name} cannot be deleted: ${blocking.map((d) => d.message.replace(/\.$/, '')).join('; ')}. Archive it instead: it leaves the list and keeps its history.`,
      blocking,
    )
  }
  const before = await readBack(tx, org, id, { archived: true })
  await tx
    .update(customers)
    .set({ groupId: null, updatedAt: new Date() })
    .where(and(eq(customers.organizationId, org), eq(customers.groupId, id)))
  await tx.delete(customers).where(and(eq(customers.organizationId, org), eq(customers.id, id)))
  await recordAudit(tx, scope, {
    entity: 'customer',
    entityId: id,
    customerId: id,
    action: 'delete',
    before: snapshot(before),
    after: null,
  })
}

/**
 * Archives customers: they leave the list, the search, the export and reminders (none can be
 * sent to them, a queued one is not sent), and keep their contacts and history until restored.
 * A synced customer is archived by its source (the sync archives what the source deletes and
 * restores what comes back), so Roster refuses it rather than have the next sync undo it.
 */
export async function archiveCustomers(tx: Tx, scope: Scope, ids: string[]): Promise<number> {
  return setArchived(tx, scope, ids, true)
}

/** Restores archived customers: back in the list and reachable by reminders. */
export async function restoreCustomers(tx: Tx, scope: Scope, ids: string[]): Promise<number> {
  return setArchived(tx, scope, ids, false)
}

async function setArchived(tx: Tx, scope: Scope, ids: string[], archive: boolean): Promise<number> {
  const org = scope.organizationId
  const verb = archive ? 'archive' : 'restore'
  const locked: LockedCustomer[] = []
  for (const id of new Set(ids)) locked.push(await lockCustomer(tx, org, id, { archived: true }))
  const synced = locked.filter((c) => c.sourceSystem)
  if (synced.length > 0) {
    const names = [...new Set(synced.map((c) => systemNames[c.sourceSystem as SourceSystem]))]
    throw new AppError(
      'source_owned',
      `${synced.map((c) => c.name).join(', ')} ${synced.length === 1 ? 'is' : 'are'} synced from ${names.join(', ')}: ${verb} ${synced.length === 1 ? 'it' : 'them'} there; Roster follows at the next sync.`,
      synced.map((c) => ({
        path: `ids.${ids.indexOf(c.id)}`,
        message: `Synced from ${systemNames[c.sourceSystem as SourceSystem]}.`,
      })),
    )
  }
  const changing = locked.filter((c) => (c.archivedAt !== null) !== archive)
  for (const current of changing) {
    const before = await readBack(tx, org, current.id, { archived: true })
    await tx
      .update(customers)
      .set({ archivedAt: archive ? new Date() : null, updatedAt: new Date() })
      .where(and(eq(customers.organizationId, org), eq(customers.id, current.id)))
    const after = await readBack(tx, org, current.id, { archived: true })
    await recordAudit(tx, scope, {
      entity: 'customer',
      entityId: current.id,
      customerId: current.id,
      action: verb,
      before: snapshot(before),
      after: snapshot(after),
    })
  }
  return changing.length
}

/** Assigns account managers and/or a workflow to several customers, each change audited. */
export async function assignCustomers(
  tx: Tx,
  scope: Scope,
  ids: string[],
  assignment: Pick<CustomerPatch, 'accountManagers' | 'workflow'>,
): Promise<number> {
  let updated = 0
  for (const id of new Set(ids)) {
    const before = await findCustomer(tx, scope.organizationId, id)
    const { customer } = await updateCustomer(tx, scope, id, assignment)
    if (JSON.stringify(before) !== JSON.stringify(customer)) updated++
  }
  return updated
}

/**
 * Takes a member off every customer they manage (they are leaving the organisation), each change
 * on the customer's history; returns those customers, to be given another account manager.
 */
export async function withoutAccountManager(
  tx: Tx,
  scope: Scope,
  memberId: string,
): Promise<{ id: string; name: string; externalId: string | null }[]> {
  const org = scope.organizationId
  const managed = await tx
    .select({ id: customerAccountManagers.customerId })
    .from(customerAccountManagers)
    .where(
      and(
        eq(customerAccountManagers.organizationId, org),
        eq(customerAccountManagers.memberId, memberId),
      ),
    )
  const customersLeft = []
  for (const { id } of managed) {
    const before = await readBack(tx, org, id, { archived: true })
    await tx
      .delete(customerAccountManagers)
      .where(
        and(
          eq(customerAccountManagers.organizationId, org),
          eq(customerAccountManagers.customerId, id),
          eq(customerAccountManagers.memberId, memberId),
        ),
      )
    const after = await readBack(tx, org, id, { archived: true })
    await recordAudit(tx, scope, {
      entity: 'customer',
      entityId: id,
      customerId: id,
      action: 'update',
      before: snapshot(before),
      after: snapshot(after),
    })
    customersLeft.push({ id, name: after.name, externalId: after.externalId })
  }
  return customersLeft.sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * The customers a bulk action on "all matching" applies to: those the list shows with this
 * search and filters, read in the action's transaction (none: an empty selection, nothing done).
 * More than BULK_FILTER_LIMIT is refused, before anything changes.
 */
export async function customersMatching(
  tx: Tx,
  scope: Scope,
  filter: CustomerBulkFilter,
): Promise<string[]> {
  const ids = await matchingCustomerIds(
    tx,
    scope.organizationId,
    { ...filter, sort: 'name' },
    BULK_FILTER_LIMIT + 1,
  )
  if (ids.length > BULK_FILTER_LIMIT) {
    throw new AppError(
      'validation_failed',
      `More than ${BULK_FILTER_LIMIT.toLocaleString('en')} customers match this filter; a bulk action changes at most ${BULK_FILTER_LIMIT.toLocaleString('en')} at a time: narrow the search or filters and run it again.`,
      [{ path: 'filter', message: `More than ${BULK_FILTER_LIMIT} customers match.` }],
    )
  }
  return ids
}
