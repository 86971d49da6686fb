import { sql } from 'drizzle-orm'
import type { DbOrTx } from '../../../platform/db/client.ts'

/** What a plan reads besides the file: the tables whose rows, when written, may change it. */
const planInputs = [
  'customers',
  'contacts',
  'customer_account_managers',
  'members',
  'workflows',
  'connections',
] as const

/**
 * A version of the organisation's data a plan depends on, read from the rows themselves: their
 * count and the sum of the transaction ids that wrote them (`xmin`). Any insert, update or
 * delete, by whichever module, changes it, without every write paying to bump a counter (one
 * counter row would serialise all of an organisation's writers). A run whose dry run saw the
 * same version reuses the dry run's planned lines instead of staging the file again.
 */
export async function dataVersion(db: DbOrTx, organizationId: string): Promise<string> {
  const parts = planInputs.map(
    (table, n) => sql`
      select ${n}::int as n, count(*)::text || ':' || coalesce(sum(xmin::text::bigint), 0)::text as v
      from ${sql.raw(table)} where organization_id = ${organizationId}::uuid`,
  )
  const { rows } = await db.execute<{ version: string }>(sql`
    select string_agg(v, '/' order by n) || '/' || (
      select xmin::text from organizations where id = ${organizationId}::uuid
    ) as version
    from (${sql.join(parts, sql` union all `)}) t`)
  return rows[0]?.version ?? ''
}
