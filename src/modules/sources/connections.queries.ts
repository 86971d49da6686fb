import { and, asc, eq } from 'drizzle-orm'
import type { Connection } from '../../contracts/sources.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { connections, organizations } from '../../platform/db/schema/index.ts'
import { notFound } from '../../platform/errors.ts'
import { lastRuns, toSyncRun, type ConnectionRow, type RunRow } from './sync/runs.service.ts'
import { tickOf } from './sync/schedule.ts'

/** Where a connection's system sends its webhooks. */
export const webhookUrl = (publicUrl: string, row: { system: string; id: string }): string =>
  `${publicUrl}/webhooks/${row.system}/${row.id}`

/**
 * Whether an address only this machine reaches (localhost, a loopback or unspecified address):
 * what Roster's public URL is when ROSTER_PUBLIC_URL is unset.
 */
export function isLocalUrl(url: string): boolean {
  if (!URL.canParse(url)) return false
  const host = new URL(url).hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '0.0.0.0' ||
    host === '::1' ||
    host === '::'
  )
}

export function toConnection(
  row: ConnectionRow,
  context: { lastRun: RunRow | undefined; isContactSource: boolean; publicUrl: string },
): Connection {
  return {
    id: row.id,
    system: row.system,
    name: row.name,
    status: row.status,
    statusMessage: row.statusMessage,
    settings: (row.settings ?? {}) as Record<string, unknown>,
    webhookUrl: webhookUrl(context.publicUrl, row),
    webhookUrlLocal: isLocalUrl(context.publicUrl),
    isContactSource: context.isContactSource,
    lastRun: context.lastRun ? toSyncRun(context.lastRun) : null,
    lastFullSyncAt: row.lastFullSyncAt?.toISOString() ?? null,
    // Only an active connection has a next scheduled sync.
    nextSyncAt: row.status === 'active' ? tickOf(row.nextSyncAt).toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  }
}

async function contactSourceId(db: DbOrTx, organizationId: string): Promise<string | null> {
  const [org] = await db
    .select({ id: organizations.contactSourceConnectionId })
    .from(organizations)
    .where(eq(organizations.id, organizationId))
  return org?.id ?? null
}

export async function listConnections(
  db: DbOrTx,
  organizationId: string,
  publicUrl: string,
): Promise<Connection[]> {
  const rows = await db
    .select()
    .from(connections)
    .where(eq(connections.organizationId, organizationId))
    .orderBy(asc(connections.createdAt), asc(connections.id))
  const runs = await lastRuns(
    db,
    organizationId,
    rows.map((row) => row.id),
  )
  const source = await contactSourceId(db, organizationId)
  return rows.map((row) =>
    toConnection(row, {
      lastRun: runs.get(row.id),
      isContactSource: row.id === source,
      publicUrl,
    }),
  )
}

export async function findConnectionRow(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<ConnectionRow> {
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.organizationId, organizationId), eq(connections.id, id)))
  if (!row) throw notFound('Connection')
  return row
}

export async function getConnection(
  db: DbOrTx,
  organizationId: string,
  id: string,
  publicUrl: string,
): Promise<Connection> {
  const row = await findConnectionRow(db, organizationId, id)
  const runs = await lastRuns(db, organizationId, [id])
  return toConnection(row, {
    lastRun: runs.get(id),
    isContactSource: (await contactSourceId(db, organizationId)) === id,
    publicUrl,
  })
}
