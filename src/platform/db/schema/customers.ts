import { sql } from 'drizzle-orm'
import {
  char,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { connections } from './connections.ts'
import { members, organizations } from './organizations.ts'
import { workflows } from './workflows.ts'

export const customers = pgTable(
  'customers',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    name: text().notNull(),
    externalId: text('external_id'),
    accountingCode: text('accounting_code'),
    vatNumber: text('vat_number'),
    address: text(),
    postalCode: text('postal_code'),
    city: text(),
    country: char({ length: 2 }),
    currency: char({ length: 3 }),
    groupId: uuid('group_id'),
    workflowId: uuid('workflow_id'),
    // null: Roster owns the customer. Otherwise the connection that brings it.
    sourceConnectionId: uuid('source_connection_id'),
    // The contact source that feeds this customer's contacts when it is not the customer's own
    // connection (a CRM whose account matched it); null otherwise.
    contactsConnectionId: uuid('contacts_connection_id'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    uniqueIndex('customers_external_id_unique').on(t.organizationId, t.externalId),
    // The orders of the customers list (keyset paging): name, customer ID, creation.
    index('customers_name_idx').on(t.organizationId, sql`lower(${t.name})`, t.id),
    index('customers_external_id_sort_idx').on(t.organizationId, t.externalId, t.id),
    index('customers_created_at_idx').on(t.organizationId, t.createdAt, t.id),
    // The list's search (`like '%…%'`), by trigrams: pg_trgm, created by the migration. Names
    // are folded (lower case, no accents) by `roster_fold`, a function of the migrations.
    index('customers_name_fold_trgm_idx').using('gin', sql`roster_fold(${t.name}) gin_trgm_ops`),
    index('customers_external_id_trgm_idx').using('gin', sql`lower(${t.externalId}) gin_trgm_ops`),
    index('customers_group_idx').on(t.organizationId, t.groupId),
    index('customers_workflow_idx').on(t.organizationId, t.workflowId),
    index('customers_source_idx').on(t.organizationId, t.sourceConnectionId),
    foreignKey({
      columns: [t.organizationId, t.groupId],
      foreignColumns: [t.organizationId, t.id],
    }),
    foreignKey({
      columns: [t.organizationId, t.workflowId],
      foreignColumns: [workflows.organizationId, workflows.id],
    }),
    foreignKey({
      columns: [t.organizationId, t.sourceConnectionId],
      foreignColumns: [connections.organizationId, connections.id],
    }),
    foreignKey({
      columns: [t.organizationId, t.contactsConnectionId],
      foreignColumns: [connections.organizationId, connections.id],
    }),
  ],
)

export const customerAccountManagers = pgTable(
  'customer_account_managers',
  {
    organizationId: uuid('organization_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    memberId: uuid('member_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.customerId, t.memberId] }),
    index('customer_account_managers_member_idx').on(t.organizationId, t.memberId),
    foreignKey({
      columns: [t.organizationId, t.customerId],
      foreignColumns: [customers.organizationId, customers.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.organizationId, t.memberId],
      foreignColumns: [members.organizationId, members.id],
    }).onDelete('cascade'),
  ],
)
