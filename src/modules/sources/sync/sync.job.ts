import { and, asc, eq, lte } from 'drizzle-orm'
import type { Vault } from '../../../platform/auth/encryption.ts'
import type { Db } from '../../../platform/db/client.ts'
import { connections } from '../../../platform/db/schema/index.ts'
import { defineJob, type Queue } from '../../../platform/queue/queue.ts'
import type { Connectors } from '../connectors/index.ts'
import { runNextSync } from './engine.ts'
import { lockConnection, requestRun, syncQueue } from './runs.service.ts'
import { nextTick, SCHEDULE_MINUTES } from './schedule.ts'

export interface SyncJobDeps {
  db: Db
  queue: Queue
  vault: Vault
  connectors: Connectors
}

const FULL_EVERY_MS = 24 * 60 * 60_000

export const syncConnection = defineJob<
  { organizationId: string; connectionId: string },
  SyncJobDeps
>({
  ...syncQueue,
  handle: async (deps, data) => {
    await runNextSync(deps, data.organizationId, data.connectionId)
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
      const full =
        !row.lastFullSyncAt || now.getTime() - row.lastFullSyncAt.getTime() >= FULL_EVERY_MS
      await requestRun(tx, queue, { organizationId, connectionId: id, full, trigger: 'schedule' })
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
