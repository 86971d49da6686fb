import { and, asc, desc, eq, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm'
import type {
  Customer,
  CustomerFilterQuery,
  CustomerListQuery,
  CustomerSort,
} from '../../contracts/customers.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { decodeCursor, encodeCursor } from '../../platform/db/cursor.ts'
import {
  connections,
  contacts,
  customerAccountManagers,
  customers,
  members,
  workflows,
} from '../../platform/db/schema/index.ts'
import { selectCustomers, toCustomer, type CustomerSelection } from './customers.queries.ts'

/**
 * How each order reads and compares its key. Every order is backed by an index on
 * (organization_id, key, id); the key is read back as text so that the cursor keeps it exactly
 * (a timestamp to the microsecond). A nullable key puts customers without it last, both ways.
 */
const sortKeys = {
  name: { key: sql`lower(${customers.name})`, type: sql`text`, nullable: false },
  externalId: { key: sql`${customers.externalId}`, type: sql`text`, nullable: true },
  createdAt: { key: sql`${customers.createdAt}`, type: sql`timestamptz`, nullable: false },
} as const

function sortOf(sort: CustomerSort) {
  const descending = sort.startsWith('-')
  const field = (descending ? sort.slice(1) : sort) as keyof typeof sortKeys
  return { field, descending, ...sortKeys[field] }
}

/** The cursor: the order, the last key (null once past the customers that have one) and id. */
interface Position {
  sort: CustomerSort
  key: string | null
  id: string
}

function readCursor(cursor: string, sort: CustomerSort): Position {
  const [raw, id] = decodeCursor(cursor, (value) => {
    try {
      const parsed: unknown = JSON.parse(value)
      return (
        Array.isArray(parsed) &&
        parsed[0] === sort &&
        (typeof parsed[1] === 'string' || parsed[1] === null)
      )
    } catch {
      return false
    }
  })
  const [, key] = JSON.parse(raw) as [CustomerSort, string | null]
  return { sort, key, id }
}

const writeCursor = (position: Position): string =>
  encodeCursor(JSON.stringify([position.sort, position.key]), position.id)

const escapeLike = (q: string): string => q.replace(/[\\%_]/g, '\\$&')
const likePattern = (q: string): string => `%${escapeLike(q.toLowerCase())}%`
const isUuid = (value: string): boolean => /^[0-9a-f-]{36}$/i.test(value)

/** The filters other than the search, on the `customers` table alone. */
function filters(organizationId: string, query: CustomerFilterQuery): (SQL | undefined)[] {
  const conditions: (SQL | undefined)[] = [
    eq(customers.organizationId, organizationId),
    query.archived ? isNotNull(customers.archivedAt) : isNull(customers.archivedAt),
  ]
  if (query.accountManager) {
    const manager = query.accountManager
    const who = isUuid(manager)
      ? sql`m.id = ${manager}::uuid`
      : sql`lower(m.email) = ${manager.toLowerCase()}`
    conditions.push(sql`${customers.id} in (select cam.customer_id from ${customerAccountManagers} cam
      join ${members} m on m.organization_id = cam.organization_id and m.id = cam.member_id
      where cam.organization_id = ${organizationId}::uuid and ${who})`)
  }
  if (query.workflow) {
    const workflow = query.workflow
    conditions.push(
      isUuid(workflow)
        ? eq(customers.workflowId, workflow)
        : inArray(
            customers.workflowId,
            sql`(select ${workflows.id} from ${workflows} where ${workflows.organizationId} = ${organizationId}
              and lower(${workflows.name}) = ${workflow.toLowerCase()})`,
          ),
    )
  }
  if (query.group) conditions.push(eq(customers.groupId, query.group))
  if (query.source === 'roster') conditions.push(isNull(customers.sourceConnectionId))
  else if (query.source) {
    const bySystem = sql`(select ${connections.id} from ${connections}
      where ${connections.organizationId} = ${organizationId} and ${connections.system} = ${query.source})`
    conditions.push(inArray(customers.sourceConnectionId, bySystem))
  }
  if (query.reach) conditions.push(reachConditions[query.reach](organizationId))
  return conditions
}

/**
 * The customers a reminder reaches nobody at (no live contact that has not bounced nor opted
 * out), and those with a contact whose email bounced (modules/reminders). The customer is named
 * `customers.id` in full: drizzle writes a column of a select list unqualified, where `id` would
 * be the contact's own.
 */
const reachConditions = {
  unreachable: (organizationId: string) => sql`not exists (select 1 from ${contacts} ct
    where ct.organization_id = ${organizationId}::uuid and ct.customer_id = customers.id
    and ct.archived_at is null and ct.bounced_at is null and not ct.do_not_remind
    and ct.email is not null and not ct.email_opted_out)`,
  bounced: (organizationId: string) => sql`exists (select 1 from ${contacts} ct
    where ct.organization_id = ${organizationId}::uuid and ct.customer_id = customers.id
    and ct.archived_at is null and ct.bounced_at is not null)`,
} as const

/** How many live customers each reach filter finds. */
export async function customerReachCounts(
  db: DbOrTx,
  organizationId: string,
): Promise<{ unreachable: number; bounced: number }> {
  const [row] = await db
    .select({
      unreachable: sql<number>`count(*) filter (where ${reachConditions.unreachable(organizationId)})::int`,
      bounced: sql<number>`count(*) filter (where ${reachConditions.bounced(organizationId)})::int`,
    })
    .from(customers)
    .where(and(eq(customers.organizationId, organizationId), isNull(customers.archivedAt)))
  return { unreachable: row?.unreachable ?? 0, bounced: row?.bounced ?? 0 }
}

/**
 * What the search matches — the name or customer ID, a contact's email, or a contact's first and
 * last names — as conditions the list reads apart: a word found in many customers reads them in
 * order and stops at a page, a rare one goes through the trigram indexes, and each part can take
 * its own way. Names are compared folded (`roster_fold`: lower case, accents removed, as their
 * indexes are built), so "elodie" finds Élodie.
 */
function searches(q: string): SQL[] {
  const pattern = likePattern(q)
  const folded = sql`'%' || roster_fold(${escapeLike(q)}) || '%'`
  return [
    sql`(roster_fold(${customers.name}) like ${folded} or lower(${customers.externalId}) like ${pattern})`,
    sql`exists (select 1 from ${contacts} ct where ct.organization_id = ${customers.organizationId}
      and ct.customer_id = ${customers.id} and ct.archived_at is null and lower(ct.email) like ${pattern})`,
    sql`exists (select 1 from ${contacts} ct where ct.organization_id = ${customers.organizationId}
      and ct.customer_id = ${customers.id} and ct.archived_at is null
      and roster_fold(coalesce(ct.first_name, '') || ' ' || coalesce(ct.last_name, '')) like ${folded})`,
  ]
}

/**
 * Up to `limit` customers meeting `conditions` in `order`. With a search, the ids each part finds
 * are read first, in a statement of their own, then those customers: one statement with the parts
 * as a subquery lets a planner with stale statistics (the embedded store has no autovacuum) run
 * the parts again for every customer of the organisation — seconds for a few hundred customers.
 */
async function readPart(
  db: DbOrTx,
  organizationId: string,
  options: {
    conditions: (SQL | undefined)[]
    search: SQL[]
    order: SQL[]
    key?: SQL
    limit: number
  },
): Promise<CustomerSelection[]> {
  const { conditions, search, order, key, limit } = options
  if (search.length === 0) {
    return selectCustomers(db, key)
      .where(and(...conditions))
      .orderBy(...order)
      .limit(limit)
  }
  const parts = search.map(
    (match) =>
      sql`(${db
        .select({ id: customers.id })
        .from(customers)
        .where(and(...conditions, match))
        .orderBy(...order)
        .limit(limit)})`,
  )
  const found = await db.execute<{ id: string }>(
    sql`select distinct id from (${sql.join(parts, sql` union all `)}) as found`,
  )
  const ids = found.rows.map((row) => row.id)
  if (ids.length === 0) return []
  return selectCustomers(db, key)
    .where(and(eq(customers.organizationId, organizationId), inArray(customers.id, ids)))
    .orderBy(...order)
    .limit(limit)
}

/**
 * One page of customers, with search and filters, in one of the indexed orders. Keyset paging:
 * a page costs the same at the start of the list as deep into it. For a nullable key the
 * customers that have it come first, then those without it by id, each part read by its index.
 */
export async function listCustomers(
  db: DbOrTx,
  organizationId: string,
  query: CustomerListQuery,
): Promise<{ data: Customer[]; nextCursor: string | null }> {
  const sort = sortOf(query.sort)
  const direction = sort.descending ? desc : asc
  const after = sort.descending ? sql`<` : sql`>`
  const base = filters(organizationId, query)
  const search = query.q ? searches(query.q) : []
  const position = query.cursor ? readCursor(query.cursor, query.sort) : undefined
  const want = query.limit + 1

  const rows: CustomerSelection[] = []
  if (position?.key !== null) {
    const conditions = [...base, sort.nullable ? isNotNull(sort.key) : undefined]
    if (position) {
      conditions.push(
        sql`(${sort.key}, ${customers.id}) ${after} (${position.key}::${sort.type}, ${position.id}::uuid)`,
      )
    }
    const order = [direction(sort.key), direction(customers.id)]
    rows.push(
      ...(await readPart(db, organizationId, {
        conditions,
        search,
        order,
        key: sort.key,
        limit: want,
      })),
    )
  }
  if (sort.nullable && rows.length < want) {
    const conditions = [...base, isNull(sort.key)]
    if (position?.key === null) conditions.push(sql`${customers.id} ${after} ${position.id}::uuid`)
    const order = [direction(customers.id)]
    const limit = want - rows.length
    rows.push(...(await readPart(db, organizationId, { conditions, search, order, limit })))
  }
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  return {
    data: page.map(toCustomer),
    nextCursor:
      rows.length > query.limit && last
        ? writeCursor({ sort: query.sort, key: last.sortKey, id: last.customer.id })
        : null,
  }
}

/**
 * How many lines an export of the list with these filters writes: one per live contact, one for
 * a customer without any. Read before the export streams, to show its progress.
 */
export async function countExportLines(
  db: DbOrTx,
  organizationId: string,
  query: CustomerFilterQuery,
): Promise<number> {
  const search = query.q ? searches(query.q) : []
  const [row] = await db
    .select({
      lines: sql<number>`coalesce(sum(greatest(1, (select count(*) from ${contacts} ct
        where ct.organization_id = customers.organization_id and ct.customer_id = customers.id
        and ct.archived_at is null))), 0)::int`,
    })
    .from(customers)
    .where(
      and(
        ...filters(organizationId, query),
        search.length > 0 ? sql`(${sql.join(search, sql` or `)})` : undefined,
      ),
    )
  return row?.lines ?? 0
}

/** The search and filters as one condition on `customers`, as the list and the export read them. */
function matching(organizationId: string, query: CustomerFilterQuery): SQL | undefined {
  const search = query.q ? searches(query.q) : []
  return and(
    ...filters(organizationId, query),
    search.length > 0 ? sql`(${sql.join(search, sql` or `)})` : undefined,
  )
}

/** How many customers the list shows with these search and filters. */
export async function countCustomers(
  db: DbOrTx,
  organizationId: string,
  query: CustomerFilterQuery,
): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(customers)
    .where(matching(organizationId, query))
  return row?.count ?? 0
}

/**
 * The ids of every customer the list shows with these search and filters, up to `limit` (read
 * one more to tell there are more), in one statement: a bulk action on "all matching" changes
 * exactly those found inside its transaction.
 */
export async function matchingCustomerIds(
  db: DbOrTx,
  organizationId: string,
  query: CustomerFilterQuery,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: customers.id })
    .from(customers)
    .where(matching(organizationId, query))
    .orderBy(asc(customers.id))
    .limit(limit)
  return rows.map((row) => row.id)
}
