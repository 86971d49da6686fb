import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm'
import type { SyncRun } from '../../../contracts/sources.ts'
import { decodeCursor, encodeCursor } from '../../../platform/db/cursor.ts'
import type { DbOrTx, Tx } from '../../../platform/db/client.ts'
import { connections, syncRuns } from '../../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../../platform/errors.ts'
import type { Queue } from '../../../platform/queue/queue.ts'
import { assertCanMove, type SyncRunStatus } from './lifecycle.ts'

export type RunRow = typeof syncRuns.$inferSelect
export type ConnectionRow = typeof connections.$inferSelect
export type SyncTrigger = RunRow['trigger']

/**
 * The queue of `sources.sync` jobs (the handler is in sync.job.ts). One job per connection is
 * active at a time and one more may wait (pg-boss `stately` policy, keyed by connection).
 */
export const syncQueue = {
  name: 'sources.sync',
  queue: {
    policy: 'stately',
    // A worker that dies stops sending heartbeats: within seconds pg-boss hands the job to
    // another worker, which resumes the run from the cursor of its last applied page. (The
    // engine retries a source's errors itself: a job is retried after a crash.)
    heartbeatSeconds: 10,
    expireInSeconds: 6 * 60 * 60,
    retryLimit: 3,
    retryDelay: 2,
  },
} as const

/** The first SKIPPED_KEPT skipped records of a run are kept with their reasons. */
export const SKIPPED_KEPT = 1000

export const toSyncRun = (row: RunRow): SyncRun => ({
  id: row.id,
  connectionId: row.connectionId,
  mode: row.mode,
  trigger: row.trigger,
  status: row.status,
  queuedAt: row.queuedAt.toISOString(),
  startedAt: row.startedAt?.toISOString() ?? null,
  finishedAt: row.finishedAt?.toISOString() ?? null,
  counts: {
    created: row.created,
    updated: row.updated,
    archived: row.archived,
    skipped: row.skipped,
  },
  errors: row.errors,
  error: row.error,
})

const ofConnection = (organizationId: string, connectionId: string) =>
  and(eq(syncRuns.organizationId, organizationId), eq(syncRuns.connectionId, connectionId))

export async function lockConnection(
  tx: DbOrTx,
  organizationId: string,
  connectionId: string,
): Promise<ConnectionRow | undefined> {
  const [row] = await tx
    .select()
    .from(connections)
    .where(and(eq(connections.organizationId, organizationId), eq(connections.id, connectionId)))
    .for('update')
  return row
}

export function assertCanSync(connection: ConnectionRow): void {
  if (connection.status === 'paused') {
    throw new AppError('conflict', 'This connection is paused: resume it before syncing.')
  }
  if (connection.status === 'needs_reconnection') {
    throw new AppError(
      'conflict',
      'This connection needs to be reconnected: enter its credentials again before syncing.',
    )
  }
}

/**
 * Queues a run of the connection and its job, in the caller's transaction; a run already
 * waiting is answered instead (a request for a full run makes it full). A connection that never
 * completed a full run gets one.
 */
export async function requestRun(
  tx: Tx,
  queue: Queue,
  input: { organizationId: string; connectionId: string; full: boolean; trigger: SyncTrigger },
): Promise<RunRow> {
  const { organizationId, connectionId } = input
  const connection = await lockConnection(tx, organizationId, connectionId)
  if (!connection) throw notFound('Connection')
  assertCanSync(connection)
  const mode = input.full || !connection.lastFullSyncAt ? 'full' : 'incremental'
  const [waiting] = await tx
    .select()
    .from(syncRuns)
    .where(and(ofConnection(organizationId, connectionId), eq(syncRuns.status, 'queued')))
  let run = waiting
  if (run && mode === 'full' && run.mode !== 'full') {
    ;[run] = await tx
      .update(syncRuns)
      .set({ mode })
      .where(and(eq(syncRuns.organizationId, organizationId), eq(syncRuns.id, run.id)))
      .returning()
  } else if (!run) {
    ;[run] = await tx
      .insert(syncRuns)
      .values({ organizationId, connectionId, mode, trigger: input.trigger })
      .returning()
  }
  if (!run) throw new Error('the run was not written')
  // Sent even when a run was waiting: pg-boss keeps one waiting job per connection, and a lost
  // one is replaced.
  await queue.enqueue(
    tx,
    syncQueue,
    { organizationId, connectionId },
    { singletonKey: connectionId },
  )
  return run
}

/** Whether the connection has a run started and not ended (by a live worker or a dead one). */
export async function hasRunningRun(
  tx: DbOrTx,
  organizationId: string,
  connectionId: string,
): Promise<boolean> {
  const [row] = await tx
    .select({ id: syncRuns.id })
    .from(syncRuns)
    .where(and(ofConnection(organizationId, connectionId), eq(syncRuns.status, 'running')))
    .limit(1)
  return row !== undefined
}

export async function findRun(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<RunRow | undefined> {
  const [row] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.organizationId, organizationId), eq(syncRuns.id, id)))
  return row
}

/** The latest run of each connection. */
export async function lastRuns(
  db: DbOrTx,
  organizationId: string,
  connectionIds: string[],
): Promise<Map<string, RunRow>> {
  if (connectionIds.length === 0) return new Map()
  const rows = await db
    .selectDistinctOn([syncRuns.connectionId])
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.organizationId, organizationId),
        inArray(syncRuns.connectionId, connectionIds),
      ),
    )
    .orderBy(asc(syncRuns.connectionId), desc(syncRuns.queuedAt), desc(syncRuns.id))
  return new Map(rows.map((row) => [row.connectionId, row]))
}

// The cursor keeps queued_at to the microsecond, as notifications do.
const queuedAtText = sql<string>`to_char(${syncRuns.queuedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** A connection's runs, newest first. */
export async function listRuns(
  db: DbOrTx,
  organizationId: string,
  connectionId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ data: SyncRun[]; nextCursor: string | null }> {
  const conditions = [ofConnection(organizationId, connectionId)]
  if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor, (key) => !Number.isNaN(Date.parse(key)))
    conditions.push(sql`(${syncRuns.queuedAt}, ${syncRuns.id}) < (${at}::timestamptz, ${id}::uuid)`)
  }
  const rows = await db
    .select({ run: syncRuns, cursorAt: queuedAtText })
    .from(syncRuns)
    .where(and(...conditions))
    .orderBy(desc(syncRuns.queuedAt), desc(syncRuns.id))
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  return {
    data: page.map((row) => toSyncRun(row.run)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.cursorAt, last.run.id) : null,
  }
}

/** Moves a run to another status, checked against the lifecycle. */
export async function moveRun(
  tx: DbOrTx,
  run: RunRow,
  to: SyncRunStatus,
  set: Partial<RunRow> = {},
): Promise<RunRow> {
  assertCanMove(run.status, to)
  const [row] = await tx
    .update(syncRuns)
    .set({ ...set, status: to })
    .where(and(eq(syncRuns.organizationId, run.organizationId), eq(syncRuns.id, run.id)))
    .returning()
  if (!row) throw new Error('the sync run is gone')
  return row
}

/**
 * Takes the connection's next run for this worker: the one left running by a worker that died
 * (resumed), else the oldest waiting one. A run waiting on a connection that was paused or needs
 * reconnecting is cancelled. Returns undefined when there is nothing to run.
 */
export async function claimRun(
  tx: Tx,
  organizationId: string,
  connectionId: string,
): Promise<{ run: RunRow; connection: ConnectionRow } | undefined> {
  const connection = await lockConnection(tx, organizationId, connectionId)
  if (!connection) return undefined
  const [next] = await tx
    .select()
    .from(syncRuns)
    .where(
      and(
        ofConnection(organizationId, connectionId),
        inArray(syncRuns.status, ['running', 'queued']),
      ),
    )
    .orderBy(sql`${syncRuns.status} = 'running' desc`, asc(syncRuns.queuedAt))
    .limit(1)
  if (!next) return undefined
  if (next.status === 'queued' && connection.status !== 'active') {
    await moveRun(tx, next, 'cancelled', {
      finishedAt: new Date(),
      error:
        connection.status === 'paused'
          ? 'The connection was paused before the run started.'
          : 'The connection needs to be reconnected.',
    })
    return undefined
  }
  const run = await moveRun(tx, next, 'running', { startedAt: next.startedAt ?? new Date() })
  return { run, connection }
}
