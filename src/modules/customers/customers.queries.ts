import { and, asc, eq, isNull, or, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Customer, CustomerListQuery } from '../../contracts/customers.ts'
import { decodeCursor, encodeCursor } from '../../platform/db/cursor.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import {
  connections,
  contacts,
  customerAccountManagers,
  customers,
  members,
  workflows,
} from '../../platform/db/schema/index.ts'

const groups = alias(customers, 'groups')
const mainContacts = alias(contacts, 'main_contacts')

const accountManagerEmails = sql<string[]>`coalesce((
  select array_agg(m.email order by lower(m.email))
  from ${customerAccountManagers} cam
  join ${members} m on m.organization_id = cam.organization_id and m.id = cam.member_id
  where cam.organization_id = ${customers.organizationId} and cam.customer_id = ${customers.id}
), '{}')`

/** Customers as the API shows them: group, account managers, workflow, source and main contact. */
function selectCustomers(db: DbOrTx) {
  return db
    .select({
      customer: customers,
      group: { id: groups.id, name: groups.name, externalId: groups.externalId },
      workflow: workflows.name,
      sourceSystem: connections.system,
      accountManagers: accountManagerEmails,
      main: {
        id: mainContacts.id,
        email: mainContacts.email,
        firstName: mainContacts.firstName,
        lastName: mainContacts.lastName,
      },
    })
    .from(customers)
    .leftJoin(
      groups,
      and(eq(groups.organizationId, customers.organizationId), eq(groups.id, customers.groupId)),
    )
    .leftJoin(
      workflows,
      and(
        eq(workflows.organizationId, customers.organizationId),
        eq(workflows.id, customers.workflowId),
      ),
    )
    .leftJoin(
      connections,
      and(
        eq(connections.organizationId, customers.organizationId),
        eq(connections.id, customers.sourceConnectionId),
      ),
    )
    .leftJoin(
      mainContacts,
      and(
        eq(mainContacts.organizationId, customers.organizationId),
        eq(mainContacts.customerId, customers.id),
        eq(mainContacts.isMain, true),
        isNull(mainContacts.archivedAt),
      ),
    )
}

type CustomerSelection = Awaited<ReturnType<typeof selectCustomers>>[number]

function toCustomer(row: CustomerSelection): Customer {
  const c = row.customer
  return {
    id: c.id,
    name: c.name,
    externalId: c.externalId,
    accountingCode: c.accountingCode,
    vatNumber: c.vatNumber,
    address: c.address,
    postalCode: c.postalCode,
    city: c.city,
    country: c.country,
    currency: c.currency,
    group: row.group,
    accountManagers: row.accountManagers,
    workflow: row.workflow,
    source: row.sourceSystem ?? 'roster',
    mainContact: row.main,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  }
}

export async function findCustomer(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<Customer | undefined> {
  const [row] = await selectCustomers(db).where(
    and(
      eq(customers.organizationId, organizationId),
      eq(customers.id, id),
      isNull(customers.archivedAt),
    ),
  )
  return row && toCustomer(row)
}

const likePattern = (q: string): string => `%${q.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`

/** One page of customers ordered by name, with search and filters. */
export async function listCustomers(
  db: DbOrTx,
  organizationId: string,
  query: CustomerListQuery,
): Promise<{ data: Customer[]; nextCursor: string | null }> {
  const conditions: (SQL | undefined)[] = [
    eq(customers.organizationId, organizationId),
    isNull(customers.archivedAt),
  ]
  if (query.q) {
    const pattern = likePattern(query.q)
    conditions.push(
      or(
        sql`lower(${customers.name}) like ${pattern}`,
        sql`lower(${customers.externalId}) like ${pattern}`,
        sql`exists (select 1 from ${contacts} ct where ct.organization_id = ${customers.organizationId}
          and ct.customer_id = ${customers.id} and ct.archived_at is null and lower(ct.email) like ${pattern})`,
      ),
    )
  }
  if (query.accountManager) {
    const manager = query.accountManager
    const isId = /^[0-9a-f-]{36}$/i.test(manager)
    conditions.push(sql`exists (select 1 from ${customerAccountManagers} cam
      join ${members} m on m.organization_id = cam.organization_id and m.id = cam.member_id
      where cam.organization_id = ${customers.organizationId} and cam.customer_id = ${customers.id}
      and ${isId ? sql`m.id = ${manager}::uuid` : sql`lower(m.email) = ${manager.toLowerCase()}`})`)
  }
  if (query.workflow) {
    const isId = /^[0-9a-f-]{36}$/i.test(query.workflow)
    conditions.push(
      isId
        ? eq(customers.workflowId, query.workflow)
        : sql`lower(${workflows.name}) = ${query.workflow.toLowerCase()}`,
    )
  }
  if (query.group) conditions.push(eq(customers.groupId, query.group))
  if (query.cursor) {
    const [name, id] = decodeCursor(query.cursor)
    conditions.push(sql`(lower(${customers.name}), ${customers.id}) > (${name}, ${id}::uuid)`)
  }
  const rows = await selectCustomers(db)
    .where(and(...conditions))
    .orderBy(asc(sql`lower(${customers.name})`), asc(customers.id))
    .limit(query.limit + 1)
  const data = rows.slice(0, query.limit).map(toCustomer)
  const last = data.at(-1)
  return {
    data,
    nextCursor:
      rows.length > query.limit && last ? encodeCursor(last.name.toLowerCase(), last.id) : null,
  }
}
