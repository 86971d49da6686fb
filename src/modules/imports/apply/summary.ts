import { sql } from 'drizzle-orm'
import type { ImportSummary } from '../../../contracts/imports.ts'
import type { DbOrTx } from '../../../platform/db/client.ts'

export type { ImportSummary }

export interface Counts {
  created: number
  updated: number
  unchanged: number
}

const n = (value: unknown): number => Number(value ?? 0)

export async function summarize(
  db: DbOrTx,
  organizationId: string,
  importId: string,
): Promise<ImportSummary> {
  const scope = (alias: string) =>
    sql`${sql.raw(alias)}.organization_id = ${organizationId}::uuid and ${sql.raw(alias)}.import_id = ${importId}::uuid`
  const { rows } = await db.execute<Record<string, string | number | null>>(sql`
    select
      (select count(distinct r.line) from import_rejections r where ${scope('r')}) as rejected,
      count(*) filter (where customer_outcome = 'create' or contact_outcome = 'create') as lines_created,
      count(*) filter (where customer_outcome <> 'create' and coalesce(contact_outcome, '') <> 'create'
        and (customer_outcome = 'update' or contact_outcome = 'update')) as lines_updated,
      count(*) filter (where customer_outcome = 'unchanged'
        and coalesce(contact_outcome, 'unchanged') = 'unchanged') as lines_unchanged,
      count(distinct customer_id) filter (where customer_is_new) as customers_created,
      count(distinct customer_id) filter (where not customer_is_new and customer_outcome = 'update')
        as customers_updated,
      count(distinct customer_id) filter (where not customer_is_new) as customers_existing,
      count(distinct contact_id) filter (where contact_is_new) as contacts_created,
      count(distinct contact_id) filter (where not contact_is_new and contact_outcome = 'update')
        as contacts_updated,
      count(distinct contact_id) filter (where not contact_is_new) as contacts_existing,
      (select count(distinct g.group_id) from import_lines g
        where ${scope('g')} and not g.rejected and g.group_id is not null and g.group_key not like 'id:%'
          and not exists (select 1 from import_lines f where ${scope('f')} and not f.rejected
            and f.customer_key = g.group_key)) as groups_created
    from import_lines l where ${scope('l')} and not l.rejected`)
  const row = rows[0] ?? {}
  const lines = {
    created: n(row.lines_created),
    updated: n(row.lines_updated),
    unchanged: n(row.lines_unchanged),
    rejected: n(row.rejected),
  }
  return {
    lines: { ...lines, total: lines.created + lines.updated + lines.unchanged + lines.rejected },
    customers: {
      created: n(row.customers_created) + n(row.groups_created),
      updated: n(row.customers_updated),
      unchanged: n(row.customers_existing) - n(row.customers_updated),
    },
    contacts: {
      created: n(row.contacts_created),
      updated: n(row.contacts_updated),
      unchanged: n(row.contacts_existing) - n(row.contacts_updated),
    },
  }
}
