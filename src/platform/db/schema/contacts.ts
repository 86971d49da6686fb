import { sql } from 'drizzle-orm'
import {
  boolean,
  foreignKey,
  index,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { connections } from './connections.ts'
import { customers } from './customers.ts'

export const contactRole = pgEnum('contact_role', ['ACCOUNTING', 'SALES', 'PURCHASER', 'PAYER'])

export const contacts = pgTable(
  'contacts',
  {
    organizationId: uuid('organization_id').notNull(),
    id: uuid().notNull().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    // Null for a contact its source holds without an email (a CRM's): kept, never a recipient.
    email: text(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    phone: text(),
    externalId: text('external_id'),
    role: contactRole(),
    jobTitle: text('job_title'),
    // The source says the person opted out of email (Salesforce's HasOptedOutOfEmail).
    emailOptedOut: boolean('email_opted_out').notNull().default(false),
    isMain: boolean('is_main').notNull().default(false),
    sourceConnectionId: uuid('source_connection_id'),
    // Reminders (modules/reminders): a hard bounce marks the email until it changes or a later
    // reminder to it is sent; an opted-out contact is never a recipient.
    bouncedAt: timestamp('bounced_at', { withTimezone: true }),
    bounceReason: text('bounce_reason'),
    doNotRemind: boolean('do_not_remind').notNull().default(false),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    // Erased (GDPR, contacts/erasure.service.ts): its personal fields are null, it is archived,
    // and the trail and the imports no longer hold its data.
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    // Among live contacts: an archived contact (kept for history) does not hold its email.
    uniqueIndex('contacts_email_unique')
      .on(t.organizationId, t.customerId, sql`lower(${t.email})`)
      .where(sql`${t.archivedAt} is null`),
    uniqueIndex('contacts_external_id_unique').on(t.organizationId, t.customerId, t.externalId),
    uniqueIndex('contacts_one_main')
      .on(t.organizationId, t.customerId)
      .where(sql`${t.isMain}`),
    index('contacts_email_search_idx').on(t.organizationId, sql`lower(${t.email})`, t.id),
    index('contacts_email_trgm_idx').using('gin', sql`lower(${t.email}) gin_trgm_ops`),
    // The customers search by a contact's name, folded as the customer's (`roster_fold`).
    index('contacts_name_fold_trgm_idx').using(
      'gin',
      sql`roster_fold(coalesce(${t.firstName}, '') || ' ' || coalesce(${t.lastName}, '')) gin_trgm_ops`,
    ),
    foreignKey({
      columns: [t.organizationId, t.customerId],
      foreignColumns: [customers.organizationId, customers.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.organizationId, t.sourceConnectionId],
      foreignColumns: [connections.organizationId, connections.id],
    }),
  ],
)
