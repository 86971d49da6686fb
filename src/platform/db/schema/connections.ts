import { sql } from 'drizzle-orm'
import {
  type AnyPgColumn,
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
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import {
  connectionStatuses,
  syncModes,
  syncRunStatuses,
  syncTriggers,
  type SyncRun,
} from '../../../contracts/sources.ts'
import { sourceSystems } from '../../../contracts/customers.ts'
import { organizations } from './organizations.ts'

export const sourceSystem = pgEnum('source_system', sourceSystems)
export const connectionStatus = pgEnum('connection_status', connectionStatuses)

/**
 * A link to one external system: its settings, its credentials (encrypted, see
 * platform/auth/encryption.ts), the cursor of its last applied page and when it syncs next.
 */
export const connections = pgTable(
  'connections',
  {
    organizationId: uuid('organization_id')
      .notNull()
      // Typed: organizations points back here (its contact source), a cycle TypeScript cannot infer.
      .references((): AnyPgColumn => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    system: sourceSystem().notNull(),
    name: text().notNull(),
    status: connectionStatus().notNull().default('active'),
    // Why the connection is not syncing, or what the last run stopped on; null when all is well.
    statusMessage: text('status_message'),
    // Non-secret configuration, shown back by the API (a Chargebee site, a base URL).
    settings: jsonb().notNull().default({}),
    // The secrets as AES-256-GCM ciphertext; never returned or logged.
    credentials: text(),
    // Where the connector's next incremental listing starts: its own shape, opaque to Roster.
    cursor: jsonb().$type<unknown>(),
    lastFullSyncAt: timestamp('last_full_sync_at', { withTimezone: true }),
    nextSyncAt: timestamp('next_sync_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    // A webhook names its connection before the organisation is known, like an API key's token
    // hash: the one lookup that needs a global index.
    uniqueIndex('connections_id_unique').on(t.id),
    // The 15-minute cron looks for due connections across organisations.
    index('connections_next_sync_idx').on(t.nextSyncAt),
  ],
)

export const syncMode = pgEnum('sync_mode', syncModes)
export const syncTrigger = pgEnum('sync_trigger', syncTriggers)
/** queued → running → completed | failed; queued or running → cancelled (see sync/lifecycle.ts). */
export const syncRunStatus = pgEnum('sync_run_status', syncRunStatuses)

/** One run of a connection's sync: what triggered it, how it went, what it changed. */
export const syncRuns = pgTable(
  'sync_runs',
  {
    organizationId: uuid('organization_id').notNull(),
    id: uuid().notNull().defaultRandom(),
    connectionId: uuid('connection_id').notNull(),
    mode: syncMode().notNull(),
    trigger: syncTrigger().notNull(),
    status: syncRunStatus().notNull().default('queued'),
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    // Pages applied so far: each one commits with the connection's cursor, so a run resumed after
    // a crash carries on from the last of them.
    pages: integer().notNull().default(0),
    created: integer().notNull().default(0),
    updated: integer().notNull().default(0),
    archived: integer().notNull().default(0),
    skipped: integer().notNull().default(0),
    // [{ externalId, reason }]: the records skipped, and why.
    errors: jsonb().$type<SyncRun['errors']>().notNull().default([]),
    error: text(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    index('sync_runs_connection_idx').on(t.organizationId, t.connectionId, t.queuedAt),
    // At most one run waiting and one running per connection: a new request joins the waiting one.
    uniqueIndex('sync_runs_one_queued')
      .on(t.organizationId, t.connectionId)
      .where(sql`${t.status} = 'queued'`),
    uniqueIndex('sync_runs_one_running')
      .on(t.organizationId, t.connectionId)
      .where(sql`${t.status} = 'running'`),
    foreignKey({
      columns: [t.organizationId, t.connectionId],
      foreignColumns: [connections.organizationId, connections.id],
    }).onDelete('cascade'),
  ],
)

/**
 * The customers a full run has listed so far, committed with each page: at the end, the
 * connection's customers missing here are archived, even when the run was resumed after a crash.
 */
export const syncRunSeen = pgTable(
  'sync_run_seen',
  {
    organizationId: uuid('organization_id').notNull(),
    runId: uuid('run_id').notNull(),
    externalId: text('external_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.runId, t.externalId] }),
    foreignKey({
      columns: [t.organizationId, t.runId],
      foreignColumns: [syncRuns.organizationId, syncRuns.id],
    }).onDelete('cascade'),
  ],
)

/**
 * The webhook events a connection has received, by the system's event id, until `expiresAt`: a
 * call replayed (or retried by the system) in that time is acknowledged without another run.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    organizationId: uuid('organization_id').notNull(),
    connectionId: uuid('connection_id').notNull(),
    eventId: text('event_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.connectionId, t.eventId] }),
    index('webhook_events_expiry').on(t.organizationId, t.connectionId, t.expiresAt),
    foreignKey({
      columns: [t.organizationId, t.connectionId],
      foreignColumns: [connections.organizationId, connections.id],
    }).onDelete('cascade'),
  ],
)

/**
 * The accounts of a contact-source connection (a CRM), as its last runs listed them: the value
 * of the matching field, the owner, and the customer the account feeds contacts to. Matching
 * is by the connection's identifier only; `confirmedCustomerId` is a name match an admin
 * confirmed. The matching screen is read from here.
 */
export const sourceAccounts = pgTable(
  'source_accounts',
  {
    organizationId: uuid('organization_id').notNull(),
    connectionId: uuid('connection_id').notNull(),
    externalId: text('external_id').notNull(),
    name: text().notNull(),
    matchValue: text('match_value'),
    ownerEmail: text('owner_email'),
    // The customer the identifier matched (exactly one, and no other account has the value).
    customerId: uuid('customer_id'),
    confirmedCustomerId: uuid('confirmed_customer_id'),
    // Another account has the same identifier, or the identifier matches several customers.
    ambiguous: boolean().notNull().default(false),
    contactCount: integer('contact_count').notNull().default(0),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.connectionId, t.externalId] }),
    index('source_accounts_match_idx').on(t.organizationId, t.connectionId, t.matchValue),
    index('source_accounts_customer_idx').on(t.organizationId, t.customerId),
    foreignKey({
      columns: [t.organizationId, t.connectionId],
      foreignColumns: [connections.organizationId, connections.id],
    }).onDelete('cascade'),
  ],
)
