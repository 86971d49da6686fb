import { and, desc, eq, isNotNull, sql } from 'drizzle-orm'
import type { ContactSource } from '../../contracts/sources.ts'
import type { DbOrTx, Tx } from '../../platform/db/client.ts'
import {
  auditEvents,
  connections,
  contacts,
  organizations,
} from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { recordAudit } from '../audit/audit.service.ts'
import type { ContactSourceState } from '../sources/ownership.ts'
import { requestRun } from '../sources/sync/runs.service.ts'
import type { SourceSystem } from '../sources/systems.ts'
import type { Scope } from '../../platform/auth/scope.ts'

/**
 * The organisation's contact source: a connection whose contacts Roster mirrors, or Roster
 * itself. Switching to Roster is the disconnect: confirmed, recorded, and irreversible.
 */
interface SourceRow {
  defaultCountry: string | null
  contactsDisconnectedAt: Date | null
  connectionId: string | null
  system: SourceSystem | null
  name: string | null
}

async function load(
  tx: DbOrTx,
  organizationId: string,
  lock?: 'update' | 'share',
): Promise<SourceRow> {
  const query = tx
    .select({
      defaultCountry: organizations.defaultCountry,
      contactsDisconnectedAt: organizations.contactsDisconnectedAt,
      connectionId: organizations.contactSourceConnectionId,
      system: connections.system,
      name: connections.name,
    })
    .from(organizations)
    .leftJoin(
      connections,
      and(
        eq(connections.organizationId, organizations.id),
        eq(connections.id, organizations.contactSourceConnectionId),
      ),
    )
    .where(eq(organizations.id, organizationId))
  const [row] = lock ? await query.for(lock, { of: organizations }) : await query
  if (!row) throw notFound('Organisation')
  return row
}

const toState = (row: SourceRow): ContactSourceState & { defaultCountry: string | null } => ({
  defaultCountry: row.defaultCountry,
  contactsDisconnectedAt: row.contactsDisconnectedAt,
  contactSource:
    row.connectionId && row.system && !row.contactsDisconnectedAt
      ? { connectionId: row.connectionId, system: row.system }
      : null,
})

/** What decides whether contacts are editable, plus the default country of phone numbers. */
export async function contactSourceState(
  tx: DbOrTx,
  organizationId: string,
  lock?: 'update' | 'share',
): Promise<ContactSourceState & { defaultCountry: string | null }> {
  return toState(await load(tx, organizationId, lock))
}

/** Who disconnected contacts, from the audit trail. */
async function disconnectedBy(db: DbOrTx, organizationId: string): Promise<string | null> {
  const [event] = await db
    .select({ label: auditEvents.actorLabel })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.organizationId, organizationId),
        eq(auditEvents.entity, 'organization'),
        eq(auditEvents.entityId, organizationId),
        eq(auditEvents.action, 'disconnect_contacts'),
      ),
    )
    .orderBy(desc(auditEvents.at))
    .limit(1)
  return event?.label ?? null
}

async function toContactSource(db: DbOrTx, row: SourceRow, org: string): Promise<ContactSource> {
  return {
    source: row.system ?? 'roster',
    connection:
      row.connectionId && row.system && row.name
        ? { id: row.connectionId, system: row.system, name: row.name }
        : null,
    contactsDisconnected: row.contactsDisconnectedAt
      ? { at: row.contactsDisconnectedAt.toISOString(), by: await disconnectedBy(db, org) }
      : null,
  }
}

export async function getContactSource(db: DbOrTx, organizationId: string): Promise<ContactSource> {
  return toContactSource(db, await load(db, organizationId), organizationId)
}

const disconnectedForGood = (at: Date): AppError =>
  new AppError(
    'conflict',
    `Contacts were disconnected from the invoicing system on ${at.toISOString().slice(0, 10)}: Roster is the contact source for good, and this cannot be undone.`,
  )

/**
 * Makes a connection the contact source; refused once contacts were disconnected. A newly
 * chosen connection gets a full run at once (as "Sync now" queues one), so its contacts arrive
 * without waiting for the schedule; a paused connection, or one that needs reconnecting, runs
 * when it is resumed or reconnected.
 */
export async function setContactSource(
  tx: Tx,
  queue: Queue,
  scope: Scope,
  input: { connectionId: string } | { source: 'roster' },
): Promise<ContactSource> {
  const org = scope.organizationId
  const current = await load(tx, org, 'update')
  if ('source' in input) {
    if (!current.connectionId) return toContactSource(tx, current, org)
    throw new AppError(
      'conflict',
      `Contacts are synced from ${current.name ?? 'a connection'}. Making Roster the contact source cannot be undone, so it has its own confirmed step: POST /api/v1/organization/contact-source/disconnect with {"confirm":"DISCONNECT"}.`,
    )
  }
  if (current.contactsDisconnectedAt) throw disconnectedForGood(current.contactsDisconnectedAt)
  const [connection] = await tx
    .select({ id: connections.id, status: connections.status })
    .from(connections)
    .where(and(eq(connections.organizationId, org), eq(connections.id, input.connectionId)))
  if (!connection) throw notFound('Connection')
  if (current.connectionId !== connection.id) {
    await tx
      .update(organizations)
      .set({ contactSourceConnectionId: connection.id })
      .where(eq(organizations.id, org))
    await recordAudit(tx, scope, {
      entity: 'organization',
      entityId: org,
      customerId: null,
      action: 'update',
      before: { contactSource: current.connectionId },
      after: { contactSource: connection.id },
    })
    if (connection.status === 'active') {
      await requestRun(tx, queue, {
        organizationId: org,
        connectionId: connection.id,
        full: true,
        trigger: scope.actor.kind === 'cli' ? 'cli' : 'manual',
      })
    }
  }
  return toContactSource(tx, await load(tx, org), org)
}

/**
 * Seed 001: Roster becomes the contact source for good. Existing contacts stay and become
 * Roster's (editable); later syncs update customers but never contacts again.
 */
export async function disconnectContacts(tx: Tx, scope: Scope): Promise<ContactSource> {
  const org = scope.organizationId
  const current = await load(tx, org, 'update')
  if (current.contactsDisconnectedAt) {
    throw new AppError(
      'conflict',
      `Contacts were already disconnected on ${current.contactsDisconnectedAt.toISOString().slice(0, 10)}.`,
    )
  }
  const [done] = await tx
    .update(organizations)
    .set({ contactsDisconnectedAt: sql`now()`, contactSourceConnectionId: null })
    .where(eq(organizations.id, org))
    .returning({ at: organizations.contactsDisconnectedAt })
  await tx
    .update(contacts)
    .set({ sourceConnectionId: null })
    .where(and(eq(contacts.organizationId, org), isNotNull(contacts.sourceConnectionId)))
  await recordAudit(tx, scope, {
    entity: 'organization',
    entityId: org,
    customerId: null,
    action: 'disconnect_contacts',
    before: {
      contactSource: current.system ?? 'roster',
      connectionId: current.connectionId,
      connectionName: current.name,
    },
    after: { contactSource: 'roster', contactsDisconnectedAt: done?.at?.toISOString() ?? null },
  })
  return toContactSource(tx, await load(tx, org), org)
}
