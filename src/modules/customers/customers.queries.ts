import { and, eq, isNull, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Customer } from '../../contracts/customers.ts'
import { customerCatalogue, readAsIs } from '../../contracts/fields.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import {
  connections,
  contacts,
  customerAccountManagers,
  customers,
  members,
  organizations,
  workflows,
} from '../../platform/db/schema/index.ts'
import { contactOwner, contactSourceOf } from '../sources/ownership.ts'

const groups = alias(customers, 'groups')
const mainContacts = alias(contacts, 'main_contacts')
const contactSources = alias(connections, 'contact_sources')

const accountManagerEmails = sql<string[]>`coalesce((
  select array_agg(m.email order by lower(m.email))
  from ${customerAccountManagers} cam
  join ${members} m on m.organization_id = cam.organization_id and m.id = cam.member_id
  where cam.organization_id = ${customers.organizationId} and cam.customer_id = ${customers.id}
), '{}')`

const bouncedContacts = sql<number>`(
  select count(*)::int from ${contacts} bc
  where bc.organization_id = ${customers.organizationId} and bc.customer_id = ${customers.id}
    and bc.archived_at is null and bc.bounced_at is not null
)`

/**
 * Customers as the API shows them: group, account managers, workflow, source and main contact;
 * `sortKey`, the key a list is ordered by, read as text for its cursor.
 */
export function selectCustomers(db: DbOrTx, sortKey: SQL = sql`null`) {
  return db
    .select({
      customer: customers,
      sortKey: sql<string | null>`(${sortKey})::text`,
      group: { id: groups.id, name: groups.name, externalId: groups.externalId },
      workflow: workflows.name,
      sourceSystem: connections.system,
      contactsDisconnectedAt: organizations.contactsDisconnectedAt,
      contactSourceConnectionId: organizations.contactSourceConnectionId,
      contactSourceSystem: contactSources.system,
      accountManagers: accountManagerEmails,
      bouncedContacts,
      main: {
        id: mainContacts.id,
        email: mainContacts.email,
        firstName: mainContacts.firstName,
        lastName: mainContacts.lastName,
      },
    })
    .from(customers)
    .innerJoin(organizations, eq(organizations.id, customers.organizationId))
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
      contactSources,
      and(
        eq(contactSources.organizationId, organizations.id),
        eq(contactSources.id, organizations.contactSourceConnectionId),
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

export type CustomerSelection = Awaited<ReturnType<typeof selectCustomers>>[number]

/** The fields read as their column holds them (the catalogue's). */
const valueFields = readAsIs(customerCatalogue)
type ValueField = Exclude<
  Extract<keyof Customer, keyof CustomerSelection['customer']>,
  'id' | 'archivedAt' | 'createdAt' | 'updatedAt'
>

export function toCustomer(row: CustomerSelection): Customer {
  const c = row.customer
  return {
    id: c.id,
    ...(Object.fromEntries(valueFields.map((key) => [key, c[key as keyof typeof c]])) as Pick<
      Customer,
      ValueField
    >),
    group: row.group,
    accountManagers: row.accountManagers,
    workflow: row.workflow,
    source: row.sourceSystem ?? 'roster',
    contactsLockedBy: contactOwner(contactSourceOf(row), c),
    mainContact: row.main,
    bouncedContacts: row.bouncedContacts,
    archivedAt: c.archivedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  }
}

/** A live customer, or with `{ archived: true }` an archived one too (its page shows it). */
export async function findCustomer(
  db: DbOrTx,
  organizationId: string,
  id: string,
  options: { archived?: boolean } = {},
): Promise<Customer | undefined> {
  const [row] = await selectCustomers(db).where(
    and(
      eq(customers.organizationId, organizationId),
      eq(customers.id, id),
      options.archived ? undefined : isNull(customers.archivedAt),
    ),
  )
  return row && toCustomer(row)
}
