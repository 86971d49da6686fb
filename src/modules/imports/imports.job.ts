import { and, eq, inArray, isNull, lt, or } from 'drizzle-orm'
import type { Db, Tx } from '../../platform/db/client.ts'
import { apiKeys, imports } from '../../platform/db/schema/index.ts'
import { defineJob, type Queue } from '../../platform/queue/queue.ts'
import { notifyMember } from '../notifications/notifications.service.ts'
import { emitWebhookEvent } from '../webhooks/webhooks.service.ts'
import { runImport, type ImportRow, type RunHooks } from './apply/run.ts'
import { clearStaging } from './apply/stage.ts'

export interface ImportJobDeps {
  db: Db
  queue: Queue
  /** Test seams, given by whoever starts the workers. */
  hooks?: {
    /** Awaited after each chunk commits, so a test can find an import still running. */
    afterImportChunk?: RunHooks['afterChunk']
  }
  metrics?: { importLines: { inc(lines: number): void } }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** Tells the organisation's webhook endpoints that an import completed, in its last transaction. */
async function emitCompleted(tx: Tx, row: ImportRow): Promise<void> {
  if (row.status !== 'completed') return
  await emitWebhookEvent(tx, row.organizationId, 'import.completed', {
    object: 'import',
    id: row.id,
    fileName: row.fileName,
    status: row.status,
    lines: row.linesTotal,
    summary: row.summary,
    actor: { kind: row.actorKind, label: row.actorLabel },
    occurredAt: new Date().toISOString(),
  })
}

/**
 * Who is told how an import ended: the member who started it, or who created the API key that
 * started it. An import from the command line tells no one: the command prints its outcome.
 */
export async function importRecipient(tx: Tx, row: ImportRow): Promise<string | null> {
  if (!row.actorId) return null
  if (row.actorKind === 'member') return row.actorId
  if (row.actorKind !== 'api_key') return null
  const [key] = await tx
    .select({ memberId: apiKeys.createdByMemberId })
    .from(apiKeys)
    .where(and(eq(apiKeys.organizationId, row.organizationId), eq(apiKeys.id, row.actorId)))
  return key?.memberId ?? null
}

/** Tells whoever started the import how it ended, per their notification preferences. */
async function notifyEnd(tx: Tx, queue: Queue, row: ImportRow): Promise<void> {
  await emitCompleted(tx, row)
  const memberId = await importRecipient(tx, row)
  if (!memberId) return
  const rejected = row.summary?.lines.rejected ?? 0
  const done = `${plural(row.linesDone - rejected, 'line')} applied`
  if (row.status === 'completed' || row.status === 'cancelled') {
    await notifyMember(tx, queue, row.organizationId, memberId, {
      kind: 'import_completed',
      title:
        row.status === 'completed'
          ? `Import of ${row.fileName} completed`
          : `Import of ${row.fileName} cancelled`,
      body:
        rejected > 0
          ? `${done}, ${plural(rejected, 'line')} rejected: see the import history for the reasons.`
          : `${done}.`,
      subject: { importId: row.id },
    })
  } else if (row.status === 'failed') {
    await notifyMember(tx, queue, row.organizationId, memberId, {
      kind: 'import_failed',
      title: `Import of ${row.fileName} failed`,
      body: `${row.error ?? 'It stopped on an unexpected error.'} Nothing more will be applied; upload the file again to retry.`,
      subject: { importId: row.id },
    })
  }
}

export const runImportJob = defineJob<{ organizationId: string; importId: string }, ImportJobDeps>({
  name: 'imports.run',
  queue: {
    // A worker that dies leaves the job without heartbeats: within seconds (the shortest
    // heartbeat pg-boss allows, checked every few seconds) pg-boss hands it to another worker,
    // which resumes after the last committed chunk. One stopped by SIGTERM hands it back at once.
    heartbeatSeconds: 10,
    expireInSeconds: 6 * 60 * 60,
    retryLimit: 5,
    retryDelay: 1,
  },
  handle: async ({ db, queue, hooks, metrics }, data, _job, context) => {
    await runImport(db, data.organizationId, data.importId, {
      finished: (tx, row) => notifyEnd(tx, queue, row),
      afterChunk: hooks?.afterImportChunk,
      applied: (lines) => metrics?.importLines.inc(lines),
      signal: context?.signal,
    })
  },
})

/** Statuses of an import never submitted, which may be discarded. */
const unsubmitted = or(
  inArray(imports.status, ['uploaded', 'mapped']),
  and(eq(imports.status, 'cancelled'), isNull(imports.startedAt)),
)

/** How long an upload never submitted stays in the history before it is discarded. */
export const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000

/** Discards, in every organisation, the imports never submitted and older than a day. */
export async function discardAbandonedImports(db: Db, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - ABANDONED_AFTER_MS)
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(imports)
      .where(and(unsubmitted, lt(imports.createdAt, before)))
      .returning({ organizationId: imports.organizationId, id: imports.id })
    // A dry run's staged lines are kept for the run; no key ties them to their import.
    for (const row of gone) await clearStaging(tx, row.organizationId, row.id)
    return gone.length
  })
}

export const discardAbandonedImportsJob = defineJob<object, { db: Db }>({
  name: 'imports.discard-abandoned',
  cron: '41 * * * *',
  queue: { policy: 'singleton', retryLimit: 0, expireInSeconds: 15 * 60 },
  handle: async ({ db }) => {
    await discardAbandonedImports(db)
  },
})
