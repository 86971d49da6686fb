import { asc, eq, sql } from 'drizzle-orm'
import type { Workflow } from '../../contracts/workflows.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { workflows } from '../../platform/db/schema/index.ts'
import { AppError, isUniqueViolation } from '../../platform/errors.ts'

const toWorkflow = (row: typeof workflows.$inferSelect): Workflow => ({
  id: row.id,
  name: row.name,
  createdAt: row.createdAt.toISOString(),
})

export async function addWorkflow(
  db: DbOrTx,
  organizationId: string,
  name: string,
): Promise<Workflow> {
  try {
    const [row] = await db.insert(workflows).values({ organizationId, name }).returning()
    if (!row) throw new Error('insert returned no row')
    return toWorkflow(row)
  } catch (error) {
    if (isUniqueViolation(error, 'workflows_name_unique')) {
      throw new AppError('conflict', `A workflow named "${name}" already exists.`, [
        { path: 'name', message: 'Already used.' },
      ])
    }
    throw error
  }
}

export async function listWorkflows(db: DbOrTx, organizationId: string): Promise<Workflow[]> {
  const rows = await db
    .select()
    .from(workflows)
    .where(eq(workflows.organizationId, organizationId))
    .orderBy(asc(sql`lower(${workflows.name})`))
  return rows.map(toWorkflow)
}
