import { sql } from 'drizzle-orm'
import {
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'
import { webhookDeliveryStatuses } from '../../../contracts/webhooks.ts'
import { organizations } from './organizations.ts'

export const webhookDeliveryStatus = pgEnum('webhook_delivery_status', webhookDeliveryStatuses)

/**
 * Where an organisation wants its changes posted: the URL, the events it takes and its signing
 * secret (`whsec_…`, encrypted like connection credentials, shown once).
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    url: text().notNull(),
    description: text(),
    events: text().array().notNull(),
    enabled: boolean().notNull().default(true),
    /** Why Roster turned it off (deliveries failed for a day); null when an admin did, or on. */
    disabledReason: text('disabled_reason'),
    secret: text().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.id] })],
)

/**
 * The outbox: one row per event an enabled endpoint subscribed to, written in the transaction of
 * the change (a trigger on audit_events for customers and contacts; import and sync runs where
 * they end). A change event keeps its audit row's id, and its body is made from that row when it
 * is sent; others keep their `data`.
 */
export const webhookOutbox = pgTable(
  'webhook_outbox',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    type: text().notNull(),
    auditEventId: uuid('audit_event_id'),
    data: jsonb().$type<Record<string, unknown>>(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.id] })],
)

/** One event to one endpoint: its state, the next attempt and the last attempt's outcome. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    organizationId: uuid('organization_id').notNull(),
    id: uuid().notNull().defaultRandom(),
    endpointId: uuid('endpoint_id').notNull(),
    eventId: uuid('event_id').notNull(),
    status: webhookDeliveryStatus().notNull().default('pending'),
    attempts: integer().notNull().default(0),
    /** When it is tried next (pending), or when a claim lapses (sending: its worker died). */
    dueAt: timestamp('due_at', { withTimezone: true }).notNull().defaultNow(),
    responseStatus: integer('response_status'),
    durationMs: integer('duration_ms'),
    error: text(),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    replayOf: uuid('replay_of'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    index('webhook_deliveries_endpoint_idx').on(t.organizationId, t.endpointId, t.createdAt),
    // Looked up across organisations by the delivery job, before any organisation is known.
    index('webhook_deliveries_due_idx')
      .on(t.dueAt)
      .where(sql`status in ('pending', 'sending')`),
    foreignKey({
      columns: [t.organizationId, t.endpointId],
      foreignColumns: [webhookEndpoints.organizationId, webhookEndpoints.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.organizationId, t.eventId],
      foreignColumns: [webhookOutbox.organizationId, webhookOutbox.id],
    }).onDelete('cascade'),
  ],
)

/** Every attempt of a delivery: the log an admin reads. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    organizationId: uuid('organization_id').notNull(),
    deliveryId: uuid('delivery_id').notNull(),
    attempt: integer().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    responseStatus: integer('response_status'),
    durationMs: integer('duration_ms').notNull(),
    error: text(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.deliveryId, t.attempt] }),
    foreignKey({
      columns: [t.organizationId, t.deliveryId],
      foreignColumns: [webhookDeliveries.organizationId, webhookDeliveries.id],
    }).onDelete('cascade'),
  ],
)
