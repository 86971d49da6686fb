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

  it('start at once on an empty database; a worker killed mid-import is taken over with every line applied once', async () => {
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
    const org = await newOrg(store)
    const auth = { authorization: `Bearer ${org.key}` }

    // Uploaded through one API process…
    const lines = ['Customer name']
    for (let i = 0; i < LINES; i++) lines.push(`Customer ${String(i).padStart(6, '0')}`)
    const form = new FormData()
    form.append('file', new Blob([lines.join('\n')]), 'customers.csv')
    const uploaded = await fetch(`${a}/api/v1/imports`, {
      method: 'POST',
      headers: auth,
      body: form,
    })
    expect(uploaded.status).toBe(201)
    const preview = (await uploaded.json()) as { id: string; suggestedMapping: unknown }
    const mapped = await fetch(`${a}/api/v1/imports/${preview.id}/mapping`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ mapping: preview.suggestedMapping }),
    })
    expect(mapped.status).toBe(200)
    // …started through the other, which runs no job: the worker takes it.
    const started = await fetch(`${b}/api/v1/imports/${preview.id}/start`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(started.status).toBe(202)

    const progress = async () => {
      const [row] = await db
        .select({
          status: imports.status,
          chunksApplied: imports.chunksApplied,
          chunkCount: imports.chunkCount,
        })
        .from(imports)
        .where(and(eq(imports.organizationId, org.id), eq(imports.id, preview.id)))
      return row
    }
    // The worker is killed as soon as a chunk has committed.
    const halfway = await until('the worker to apply a first chunk', async () => {
      const row = await progress()
      return row && row.chunksApplied > 0 ? row : undefined
    })
    worker.child.kill('SIGKILL')
    await worker.exited
    expect(halfway.status).toBe('running')
    const atKill = await progress()
    // Killed mid-import: chunks were left for another worker.
    expect(atKill?.chunksApplied).toBeLessThan(atKill?.chunkCount ?? 0)

    // A new worker finishes it: the job of the dead one is handed over once its heartbeats stop.
    const second = start(env, 'worker')
    procs.push(second)
    await workerUp(second)
    const record = await until(
      'the import to finish',
      async () => {
        const response = await fetch(`${b}/api/v1/imports/${preview.id}`, { headers: auth })
        const body = (await response.json()) as { finishedAt: string | null }
        return body.finishedAt ? (body as Record<string, any>) : undefined
      },
      120,
    )
    expect(record.status).toBe('completed')
    expect(record.progress.linesDone).toBe(LINES)

    // Every line applied once: one customer each, created once and never rewritten.
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

    // SIGTERM drains: every process stops on its own, cleanly.
    for (const proc of [apiA, apiB, second]) proc.child.kill('SIGTERM')
    expect(await Promise.all([apiA.exited, apiB.exited, second.exited])).toEqual([0, 0, 0])
  })
})
