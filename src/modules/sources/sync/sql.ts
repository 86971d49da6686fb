import { sql, type SQL } from 'drizzle-orm'

/** Pieces of the sync's SQL: a page travels as one JSON parameter. */
export const json = (value: unknown): SQL => sql`${JSON.stringify(value)}::jsonb`

export const ids = (values: string[]): SQL =>
  sql`(select value::uuid from jsonb_array_elements_text(${json(values)}))`

/**
 * The organisation's customers with these Customer IDs, each looked up through the unique index:
 * a page names a hundred customers of a connection that may have a hundred thousand.
 */
export const withExternalIds = (organizationId: string, externalIds: string[]): SQL => sql`(
  select found.* from jsonb_array_elements_text(${json(externalIds)}) as x(external_id)
  cross join lateral (select * from customers c
    where c.organization_id = ${organizationId}::uuid and c.external_id = x.external_id) found
)`
