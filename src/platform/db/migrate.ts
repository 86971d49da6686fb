import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate as runMigrations } from 'drizzle-orm/node-postgres/migrator'
import { join } from 'node:path'
import type pg from 'pg'
import { rootDir } from '../build/paths.ts'

const MIGRATIONS = join(rootDir, 'drizzle')
// Any constant: two processes starting on one database take turns to migrate.
const MIGRATION_LOCK = 7_210_424

/** Brings the schema up to date; safe to run from several processes at once. */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      await runMigrations(drizzle({ client }), { migrationsFolder: MIGRATIONS })
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK])
    }
  } finally {
    client.release()
  }
}
