import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openStore, type Store } from '../../src/platform/db/client.ts'

/**
 * A database of its own, for tests whose CLI processes run sync jobs: their workers then take
 * only this file's jobs, not those other test files queue with connectors only they script.
 */
export async function isolatedStore(): Promise<{
  store: Store
  env: Record<string, string>
  close: () => Promise<void>
}> {
  const serverUrl = process.env.DATABASE_URL
  if (serverUrl) {
    const name = `roster_cli_${process.pid}_${Date.now()}`
    const admin = new pg.Client({ connectionString: serverUrl })
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    const store = await openStore({ databaseUrl: url.toString(), dataDir: '' })
    return {
      store,
      env: { DATABASE_URL: url.toString() },
      close: async () => {
        await store.close()
        const cleanup = new pg.Client({ connectionString: serverUrl })
        await cleanup.connect()
        await cleanup.query(`drop database if exists ${name} with (force)`)
        await cleanup.end()
      },
    }
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'roster-cli-sync-'))
  // The embedded server runs in this process; the CLI processes connect to its socket.
  const store = await openStore({ databaseUrl: undefined, dataDir })
  return {
    store,
    env: { ROSTER_DATA_DIR: dataDir },
    close: async () => {
      await store.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
