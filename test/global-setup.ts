import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { ensureCliBundle } from '../src/cli/bundle.ts'
import { openStore, type Store } from '../src/platform/db/client.ts'

/**
 * One database for the whole run, migrated once: an embedded server in a temporary folder, or,
 * when DATABASE_URL is set, a fresh database on that PostgreSQL server. Tests keep apart by
 * creating their own organisations.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // Built once here, not by the first of the test files that run `bin/roster` at once.
  await ensureCliBundle()
  // Outbound webhooks are delivered only by the workers a webhook test starts for its own
  // organisations: every other process of the run (CLI commands, servers) leaves them alone.
  process.env.ROSTER_WEBHOOK_DELIVERY ??= '0'
  const serverUrl = process.env.DATABASE_URL
  if (serverUrl) {
    // On a server, credentials are encrypted with ROSTER_SECRET (the embedded store makes a key).
    process.env.ROSTER_SECRET ??= randomBytes(32).toString('base64')
    const name = `roster_test_${process.pid}_${Date.now()}`
    const admin = new pg.Client({ connectionString: serverUrl })
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    process.env.DATABASE_URL = url.toString()
    const store = await openStore({ databaseUrl: url.toString(), dataDir: '' })
    await store.close()
    return async () => {
      const cleanup = new pg.Client({ connectionString: serverUrl })
      await cleanup.connect()
      await cleanup.query(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    }
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'roster-test-'))
  process.env.ROSTER_DATA_DIR = dataDir
  // This process keeps the embedded server up for the test workers, which connect to it.
  const store: Store = await openStore({ databaseUrl: undefined, dataDir })
  return async () => {
    await store.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}
