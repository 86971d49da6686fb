import { and, asc, eq, lte } from 'drizzle-orm'
import type { Vault } from '../../../platform/auth/encryption.ts'
import type { Db } from '../../../platform/db/client.ts'
import { connections } from '../../../platform/db/schema/index.ts'
import { defineJob, type Queue } from '../../../platform/queue/queue.ts'
import type { Connectors } from '../connectors/index.ts'
import { runNextSync } from './engine.ts'
import { hasRunningRun, lockConnection, requestRun, syncQueue } from './runs.service.ts'
import { nextTick, SCHEDULE_MINUTES } from './schedule.ts'

export interface SyncJobDeps {
  db: Db
  queue: Queue
  vault: Vault
  connectors: Connectors
  metrics?: { syncRuns: { inc(labels: { outcome: string }): void } }
}

const FULL_EVERY_MS = 24 * 60 * 60_000

export const syncConnection = defineJob<
  { organizationId: string; connectionId: string },
  SyncJobDeps
>({
  ...syncQueue,
  handle: async (deps, data) => {
    const run = await runNextSync(deps, data.organizationId, data.connectionId)
    if (run && run.status !== 'running' && run.status !== 'queued') {
      deps.metrics?.syncRuns.inc({ outcome: run.status })
    }
  },
})

/**
 * Every 15 minutes: queues one run per due connection (active, its next sync time passed) and
 * nothing else. A connection gets a full run when it never had one or its last one is more than a
 * day old, else an incremental one.
 */
export async function scheduleDueSyncs(db: Db, queue: Queue, now = new Date()): Promise<number> {
  const due = await db
    .select({ organizationId: connections.organizationId, id: connections.id })
    .from(connections)
    .where(and(eq(connections.status, 'active'), lte(connections.nextSyncAt, now)))
    .orderBy(asc(connections.nextSyncAt))
  let queued = 0
  for (const { organizationId, id } of due) {
    await db.transaction(async (tx) => {
      const row = await lockConnection(tx, organizationId, id)
      if (row?.status !== 'active' || row.nextSyncAt > now) return
      if (await hasRunningRun(tx, organizationId, id)) {
        // A run in progress (or left by a worker that died, which its job resumes) is this
        // tick's run: queuing another would read the whole source again for nothing. Its job is
        // sent again, in case it was lost; pg-boss keeps one per connection waiting.
        await queue.enqueue(
          tx,
          syncQueue,
          { organizationId, connectionId: id },
          { singletonKey: id },
        )
      } else {
        const full =
          !row.lastFullSyncAt || now.getTime() - row.lastFullSyncAt.getTime() >= FULL_EVERY_MS
        await requestRun(tx, queue, {
          organizationId,
          connectionId: id,
          full,
          trigger: 'schedule',
        })
      }
      await tx
        .update(connections)
        .set({ nextSyncAt: nextTick(now) })
        .where(and(eq(connections.organizationId, organizationId), eq(connections.id, id)))
      queued++
    })
  }
  return queued
}

export const scheduleSyncs = defineJob<object, SyncJobDeps>({
  name: 'sources.schedule',
  cron: `*/${SCHEDULE_MINUTES} * * * *`,
  queue: { policy: 'singleton', retryLimit: 0, expireInSeconds: 10 * 60 },
  handle: async ({ db, queue }) => {
    await scheduleDueSyncs(db, queue)
  },
})
