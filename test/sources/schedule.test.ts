import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { nextTick, tickOf } from '../../src/modules/sources/sync/schedule.ts'
import { scheduleDueSyncs } from '../../src/modules/sources/sync/sync.job.ts'
import { jobs } from '../../src/app/jobs.ts'
import { connections, syncRuns } from '../../src/platform/db/schema/index.ts'
import { newOrg, testQueue, testStore } from '../support.ts'

const store = await testStore()
const queue = await testQueue(store)

// The scheduler is given its clock: a date long past, so only this test's connections are due.
const now = new Date('2000-01-01T00:07:00Z')
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000)

describe('the 15-minute schedule', () => {
  it('is a cron job that only queues one run per due connection, full once a day', async () => {
    expect(jobs.find((job) => job.name === 'sources.schedule')?.cron).toBe('*/15 * * * *')
    const org = await newOrg(store)
    const add = async (
      name: string,
      values: Partial<typeof connections.$inferInsert> = {},
    ): Promise<string> => {
      const [row] = await store.db
        .insert(connections)
        .values({
          organizationId: org.id,
          system: 'stripe',
          name,
          nextSyncAt: hoursAgo(1),
          ...values,
        })
        .returning()
      return row?.id ?? ''
    }
    const never = await add('never synced')
    const recent = await add('full an hour ago', { lastFullSyncAt: hoursAgo(2) })
    const stale = await add('full yesterday', { lastFullSyncAt: hoursAgo(25) })
    const later = await add('not due', { nextSyncAt: new Date('2000-01-01T00:10:00Z') })
    const paused = await add('paused', { status: 'paused' })
    const revoked = await add('needs reconnection', { status: 'needs_reconnection' })
    const waiting = await add('a run waiting', { lastFullSyncAt: hoursAgo(2) })
    const [queued] = await store.db
      .insert(syncRuns)
      .values({
        organizationId: org.id,
        connectionId: waiting,
        mode: 'incremental',
        trigger: 'webhook',
      })
      .returning()

    expect(await scheduleDueSyncs(store.db, queue, now)).toBe(4)

    const runs = await store.db.select().from(syncRuns).where(eq(syncRuns.organizationId, org.id))
    const byConnection = new Map(runs.map((r) => [r.connectionId, r]))
    expect(runs).toHaveLength(4)
    expect(byConnection.get(never)).toMatchObject({
      mode: 'full',
      trigger: 'schedule',
      status: 'queued',
    })
    expect(byConnection.get(recent)).toMatchObject({ mode: 'incremental', trigger: 'schedule' })
    expect(byConnection.get(stale)).toMatchObject({ mode: 'full' })
    expect(byConnection.get(waiting)).toMatchObject({
      id: queued?.id,
      mode: 'incremental',
      trigger: 'webhook',
    })
    for (const id of [later, paused, revoked]) expect(byConnection.has(id)).toBe(false)

    const rows = await store.db
      .select()
      .from(connections)
      .where(eq(connections.organizationId, org.id))
    const next = new Map(rows.map((r) => [r.id, r.nextSyncAt.toISOString()]))
    for (const id of [never, recent, stale, waiting]) {
      expect(next.get(id)).toBe('2000-01-01T00:15:00.000Z')
    }
    expect(next.get(later)).toBe('2000-01-01T00:10:00.000Z')
    for (const id of [never, recent, stale, waiting]) {
      expect(await queue.boss.findJobs('sources.sync', { key: id, queued: true })).toHaveLength(1)
    }
    expect(await queue.boss.findJobs('sources.sync', { key: later })).toHaveLength(0)

    // Run again before anything else is due: nothing more is queued.
    expect(await scheduleDueSyncs(store.db, queue, new Date('2000-01-01T00:09:00Z'))).toBe(0)
    const again = await store.db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.organizationId, org.id), eq(syncRuns.connectionId, never)))
    expect(again).toHaveLength(1)
  })

  it('queues no other run for a connection whose run was interrupted, only its job again', async () => {
    const org = await newOrg(store)
    // A first full sync that a worker killed mid-run left running: its job resumes it.
    const [connection] = await store.db
      .insert(connections)
      .values({
        organizationId: org.id,
        system: 'stripe',
        name: 'interrupted',
        nextSyncAt: hoursAgo(1),
      })
      .returning()
    const id = connection?.id ?? ''
    const [running] = await store.db
      .insert(syncRuns)
      .values({
        organizationId: org.id,
        connectionId: id,
        mode: 'full',
        trigger: 'manual',
        status: 'running',
        startedAt: hoursAgo(1),
      })
      .returning()

    expect(await scheduleDueSyncs(store.db, queue, now)).toBe(1)

    const runs = await store.db.select().from(syncRuns).where(eq(syncRuns.organizationId, org.id))
    expect(runs.map((run) => run.id)).toEqual([running?.id])
    expect(await queue.boss.findJobs('sources.sync', { key: id, queued: true })).toHaveLength(1)
    const [after] = await store.db.select().from(connections).where(eq(connections.id, id))
    expect(after?.nextSyncAt.toISOString()).toBe('2000-01-01T00:15:00.000Z')
  })

  it('says when the next tick is', () => {
    expect(nextTick(new Date('2024-03-01T10:00:00Z')).toISOString()).toBe(
      '2024-03-01T10:15:00.000Z',
    )
    expect(nextTick(new Date('2024-03-01T10:14:59.999Z')).toISOString()).toBe(
      '2024-03-01T10:15:00.000Z',
    )
    expect(nextTick(new Date('2024-03-01T23:59:00Z')).toISOString()).toBe(
      '2024-03-02T00:00:00.000Z',
    )
    // A connection due between ticks is synced at the next one.
    expect(tickOf(new Date('2024-03-01T10:15:00Z')).toISOString()).toBe('2024-03-01T10:15:00.000Z')
    expect(tickOf(new Date('2024-03-01T10:15:01Z')).toISOString()).toBe('2024-03-01T10:30:00.000Z')
  })
})
