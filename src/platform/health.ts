import { sql } from 'drizzle-orm'
import type { Db } from './db/client.ts'
import { shippedMigrations } from './db/migrate.ts'

const PROBE_MS = 3000

export interface Readiness {
  ready: boolean
  checks: { database: boolean; migrations: boolean; queue: boolean }
}

/**
 * Whether this process can do its work: the database answers, it has every migration this code
 * ships (false while another process is still migrating it, or when it was migrated by older
 * code), and the queue is started (false once the process is stopping).
 */
export async function readiness(db: Db, queue: { started: boolean }): Promise<Readiness> {
  let database: boolean
  let migrations = false
  let timer: NodeJS.Timeout | undefined
  try {
    // A database that does not answer is not ready: the probe answers within seconds anyway.
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error('the database did not answer'))
      }, PROBE_MS)
    })
    const { rows } = await Promise.race([
      db.execute<{ count: number }>(
        sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
      ),
      timeout,
    ])
    database = true
    migrations = (rows[0]?.count ?? 0) >= shippedMigrations()
  } catch (error) {
    // No migrations table yet: reachable, not migrated.
    database = (error as { cause?: { code?: string } }).cause?.code === '42P01'
  } finally {
    clearTimeout(timer)
  }
  const checks = { database, migrations, queue: queue.started }
  return { ready: database && migrations && queue.started, checks }
}
