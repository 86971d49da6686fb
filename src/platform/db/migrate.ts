import { readFileSync } from 'node:fs'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate as runMigrations } from 'drizzle-orm/node-postgres/migrator'
import { join } from 'node:path'
import type pg from 'pg'
import { installQueueSchema } from '../queue/schema.ts'
import { rootDir } from '../build/paths.ts'

const MIGRATIONS = join(rootDir, 'drizzle')
// Any constant: processes starting on one database take turns to migrate.
const MIGRATION_LOCK = 7_210_424

/**
 * Brings the schema up to date, the queue's included; safe to run from any number of processes at
 * once: one migrates while the others wait for it, then find nothing left to do.
 */
export async function migrate(pool: pg.Pool, queueSchema: string): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      await runMigrations(drizzle({ client }), { migrationsFolder: MIGRATIONS })
      await installQueueSchema(client, queueSchema)
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK])
    }
  } finally {
    client.release()
  }
}

/** How many migrations the code ships (drizzle's journal). */
export function shippedMigrations(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS}/meta/_journal.json`, 'utf8')) as {
    entries: unknown[]
  }
  return journal.entries.length
}
