import { sql } from 'drizzle-orm'
import {
  index,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'
import { organizations } from './organizations.ts'

export const auditEntity = pgEnum('audit_entity', [
  'organization',
  'customer',
  'contact',
  'reminder',
])
export const auditAction = pgEnum('audit_action', [
  'create',
  'update',
  'delete',
  'archive',
  'restore',
  'disconnect_contacts',
  'send',
  // A person's data erased (GDPR): recorded without the data.
  'erase',
  'undo',
])
export const actorKind = pgEnum('actor_kind', ['member', 'api_key', 'cli', 'source', 'import'])

/** Every change to a customer or contact: who or what made it, when, and the record before and after. */
export const auditEvents = pgTable(
  'audit_events',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    entity: auditEntity().notNull(),
    entityId: uuid('entity_id').notNull(),
    // The customer a contact belongs to, so a customer's history includes its contacts.
    customerId: uuid('customer_id'),
    action: auditAction().notNull(),
    actorKind: actorKind('actor_kind').notNull(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label').notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    before: jsonb().$type<Record<string, unknown>>(),
    after: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    index('audit_events_customer_idx').on(t.organizationId, t.customerId, t.at),
    index('audit_events_entity_idx').on(t.organizationId, t.entity, t.entityId, t.at),
    // What an import wrote, for its undo (imports/undo.ts): import rows only.
    index('audit_events_import_idx')
      .on(t.organizationId, t.actorId)
      .where(sql`${t.actorKind} = 'import'`),
  ],
)
