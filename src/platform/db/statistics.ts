import { getTableName, sql, type Table } from 'drizzle-orm'
import type { DbOrTx } from './client.ts'

/**
 * Refreshes the planner's statistics of these tables, or of every table when none is named. The
 * embedded store has no autovacuum, and a PostgreSQL server's may come minutes after a bulk
 * write: without fresh statistics the planner takes a large table for a small one and plans row
 * by row.
 */
export async function refreshStatistics(db: DbOrTx, tables: readonly Table[] = []): Promise<void> {
  const names = tables.map((table) => sql.identifier(getTableName(table)))
  await db.execute(names.length === 0 ? sql`analyze` : sql`analyze ${sql.join(names, sql`, `)}`)
}
