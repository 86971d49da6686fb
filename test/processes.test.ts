import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { and, eq, sql } from 'drizzle-orm'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openStore, type Store } from '../src/platform/db/client.ts'
import { auditEvents, customers, imports } from '../src/platform/db/schema/index.ts'
import { ensureWebBuild } from '../src/platform/web/build.ts'
import { newOrg } from './support.ts'

// Several processes start, stage and merge an import of thousands of lines: a minute or so while
// other test files run beside it.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 })

const bin = new URL('../bin/roster', import.meta.url).pathname
const serverUrl = process.env.DATABASE_URL
// Enough lines for a dozen chunks (2,000 customers each), so the worker is killed mid-import.
const LINES = 24_000

/** A Roster process of the test, with what it printed so far. */
interface Proc {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

function start(env: NodeJS.ProcessEnv, ...args: string[]): Proc {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { child, output: () => output, exited }
}

/** Waits until `check` answers something (polling), or fails naming what did not happen. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  seconds = 90,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** The address a `serve` process printed, once it is listening. */
const served = (proc: Proc): Promise<string> =>
  until('a serve process to listen', () => {
    if (proc.child.exitCode !== null) throw new Error(`serve exited: ${proc.output()}`)
    return /Roster is running at (http:\/\/\S+)/.exec(proc.output())?.[1]
  })

const workerUp = (proc: Proc): Promise<true> =>
  until('the worker to start', () => {
    if (proc.child.exitCode !== null) throw new Error(`worker exited: ${proc.output()}`)
    return proc.output().includes('Roster worker is running') ? true : undefined
  })

// The embedded store is one process's by design (its server holds the data folder), so several
// processes starting on an empty database only make sense on PostgreSQL: on the embedded store
// this suite is skipped.
describe.skipIf(!serverUrl)('several processes on one PostgreSQL database', () => {
  const name = `roster_procs_${process.pid}_${Date.now()}`
  const admin = new URL(serverUrl ?? 'postgres://localhost/postgres')
  admin.pathname = '/postgres'
  const url = new URL(admin)
  url.pathname = `/${name}`
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url.toString(),
    ROSTER_SECRET: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  }
  const procs: Proc[] = []
  let store: Store | undefined

  beforeAll(async () => {
    // Built once here: the two serve processes would otherwise both find it missing.
    await ensureWebBuild()
    const client = new pg.Client({ connectionString: admin.toString() })
    await client.connect()
    await client.query(`create database ${name}`)
    await client.end()
  })

  afterAll(async () => {
    for (const proc of procs) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM')
    }
    await Promise.all(procs.map((proc) => proc.exited))
    await store?.close()
    const client = new pg.Client({ connectionString: admin.toString() })
    await client.connect()
    await client.query(`drop database if exists ${name} with (force)`)
    await client.end()
  })

  /** Uploads a file of LINES new customers through `upload`, and starts it through `begin`. */
  async function submitImport(upload: string, begin: string, key: string): Promise<string> {
    const auth = { authorization: `Bearer ${key}` }
    const lines = ['Customer name']
    for (let i = 0; i < LINES; i++) lines.push(`Customer ${String(i).padStart(6, '0')}`)
    const form = new FormData()
    form.append('file', new Blob([lines.join('\n')]), 'customers.csv')
    const uploaded = await fetch(`${upload}/api/v1/imports`, {
      method: 'POST',
      headers: auth,
      body: form,
    })
    expect(uploaded.status).toBe(201)
    const preview = (await uploaded.json()) as { id: string; suggestedMapping: unknown }
    const mapped = await fetch(`${upload}/api/v1/imports/${preview.id}/mapping`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ mapping: preview.suggestedMapping }),
    })
    expect(mapped.status).toBe(200)
    const started = await fetch(`${begin}/api/v1/imports/${preview.id}/start`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(started.status).toBe(202)
    return preview.id
  }

  async function progress(db: Store['db'], organizationId: string, id: string) {
    const [row] = await db
      .select({
        status: imports.status,
        chunksApplied: imports.chunksApplied,
        chunkCount: imports.chunkCount,
      })
      .from(imports)
      .where(and(eq(imports.organizationId, organizationId), eq(imports.id, id)))
    return row
  }

  /** Waits for a worker to commit the import's first chunk, and checks chunks are left. */
  async function midImport(db: Store['db'], organizationId: string, id: string): Promise<void> {
    const row = await until('a worker to apply a first chunk', async () => {
      const state = await progress(db, organizationId, id)
      return state && state.chunksApplied > 0 ? state : undefined
    })
    expect(row.status).toBe('running')
    // Enough chunks are left for the stop to come mid-import.
    expect(row.chunksApplied).toBeLessThan((row.chunkCount ?? 0) - 2)
  }

  /** Waits for the import's end (read through an API process), and checks each line was applied once. */
  async function appliedOnce(
    db: Store['db'],
    base: string,
    org: { id: string; key: string },
    id: string,
  ): Promise<void> {
    const record = await until(
      'the import to finish',
      async () => {
        const response = await fetch(`${base}/api/v1/imports/${id}`, {
          headers: { authorization: `Bearer ${org.key}` },
        })
        const body = (await response.json()) as { finishedAt: string | null }
        return body.finishedAt ? (body as Record<string, any>) : undefined
      },
      120,
    )
    expect(record.status).toBe('completed')
    expect(record.progress.linesDone).toBe(LINES)
    // One customer per line, created once and never rewritten.
    const [counted] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(customers)
      .where(eq(customers.organizationId, org.id))
    expect(counted?.n).toBe(LINES)
    const events = await db
      .select({ action: auditEvents.action, n: sql<number>`count(*)::int` })
      .from(auditEvents)
      .where(and(eq(auditEvents.organizationId, org.id), eq(auditEvents.entity, 'customer')))
      .groupBy(auditEvents.action)
    expect(events).toEqual([{ action: 'create', n: LINES }])
  }

  it('start at once on an empty database; a worker killed or stopped mid-import is taken over with every line applied once', async () => {
    // Two API processes and a worker, at the same instant, on a database with no table at all.
    const apiA = start(env, 'serve', '--no-workers', '--port', '0')
    const apiB = start(env, 'serve', '--no-workers', '--port', '0')
    const worker = start(env, 'worker')
    procs.push(apiA, apiB, worker)
    const [a, b] = await Promise.all([served(apiA), served(apiB), workerUp(worker)])
    for (const base of [a, b]) {
      const ready = await fetch(`${base}/readyz`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { database: true, migrations: true, queue: true },
      })
    }
    store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: '' }, { migrate: false })
    const db = store.db

    // Uploaded through one API process, started through the other, which runs no job: the
    // worker takes it, and is killed as soon as it has committed a chunk.
    const org = await newOrg(store)
    const first = await submitImport(a, b, org.key)
    await midImport(db, org.id, first)
    worker.child.kill('SIGKILL')
    await worker.exited
    // A new worker finishes it: the dead one's job is handed over once its heartbeats stop.
    const second = start(env, 'worker')
    procs.push(second)
    await workerUp(second)
    await appliedOnce(db, b, org, first)

    // SIGTERM drains a worker: it hands the import back after the chunk it is committing and
    // exits at once; the next worker carries on from there.
    const other = await newOrg(store)
    const next = await submitImport(b, a, other.key)
    await midImport(db, other.id, next)
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
    const handedBack = await progress(db, other.id, next)
    expect(handedBack?.status).toBe('running')
    expect(handedBack?.chunksApplied).toBeLessThan(handedBack?.chunkCount ?? 0)
    const third = start(env, 'worker')
    procs.push(third)
    await workerUp(third)
    await appliedOnce(db, a, other, next)

    // The API processes drain too, and every process stops on its own, cleanly.
    for (const proc of [apiA, apiB, third]) proc.child.kill('SIGTERM')
    expect(await Promise.all([apiA.exited, apiB.exited, third.exited])).toEqual([0, 0, 0])
  })
})
