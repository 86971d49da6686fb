// The stores a benchmark measures, each in a process of its own so peak memory is that store's
// alone: the embedded store in a fresh data folder, PostgreSQL in a fresh database on the server
// of DATABASE_URL (dropped afterwards).
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

export type StoreKind = 'pglite' | 'postgres'

const run = promisify(execFile)

/** The stores to measure: PostgreSQL when DATABASE_URL is set, the embedded one; BENCH_STORES picks. */
export function benchStores(): StoreKind[] {
  const only = process.env.BENCH_STORES?.split(',')
  const candidates: StoreKind[] = process.env.DATABASE_URL ? ['postgres', 'pglite'] : ['pglite']
  return candidates.filter((kind) => !only || only.includes(kind))
}

/**
 * Runs `script` (a file next to this one) with `args` on a fresh store of `kind`; its last line
 * of output is JSON, returned parsed.
 */
export async function inFreshStore<T>(
  kind: StoreKind,
  work: string,
  script: string,
  args: string[],
): Promise<T> {
  // Connections store their credentials encrypted: a key of the run's own on any store.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ROSTER_SECRET: process.env.ROSTER_SECRET ?? randomBytes(32).toString('base64'),
  }
  let cleanup = (): Promise<void> => Promise.resolve()
  if (kind === 'pglite') {
    delete env.DATABASE_URL
    env.ROSTER_DATA_DIR = await mkdtemp(join(work, 'pglite-'))
  } else {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await admin.connect()
    const database = `roster_bench_${Date.now()}`
    await admin.query(`create database ${database}`)
    await admin.end()
    const url = new URL(process.env.DATABASE_URL ?? '')
    url.pathname = `/${database}`
    env.DATABASE_URL = url.toString()
    cleanup = async () => {
      const again = new pg.Client({ connectionString: process.env.DATABASE_URL })
      await again.connect()
      await again.query(`drop database if exists ${database} with (force)`)
      await again.end()
    }
  }
  process.stderr.write(`Measuring on ${kind}…\n`)
  try {
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', new URL(`./${script}`, import.meta.url).pathname, kind, ...args],
      { env, maxBuffer: 16 * 1024 * 1024 },
    )
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T
  } finally {
    await cleanup()
  }
}
