import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { organizations } from './organizations.ts'

/**
 * The API's use by each credential (`api_key:<id>`, `session:<id>`): requests in the current
 * one-minute window and requests in flight, in one row that every Roster process updates, so the
 * limits hold across processes (platform/http/limits.ts). `admitted_request` is the last request
 * the row let in: it tells the statement that updates the row whether it was let in.
 */
export const apiUsage = pgTable(
  'api_usage',
  {
    organizationId: uuid('organization_id').notNull(),
    credential: text().notNull(),
    windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
    requests: integer().notNull(),
    inFlight: integer('in_flight').notNull(),
    admittedRequest: uuid('admitted_request'),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.credential] })],
)

/**
 * One row per request in flight, deleted with its count when the request ends. A process killed
 * mid-request leaves its rows behind: once expired they are given back (`releaseExpired`).
 */
export const apiRequestsInFlight = pgTable(
  'api_requests_in_flight',
  {
    organizationId: uuid('organization_id').notNull(),
    id: uuid().notNull(),
    credential: text().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  // No index on the expiry: the table holds only the requests in flight, and each request
  // writes and deletes its row, so an index would cost every request for a rare scan.
  (t) => [primaryKey({ columns: [t.organizationId, t.id] })],
)

/**
 * POSTs sent with an `Idempotency-Key`, per organisation and credential: the request's
 * fingerprint, and once answered the answer, replayed to a retry until `expires_at`
 * (platform/http/idempotency.ts). `response_status` is null while the first request runs;
 * `locked_until` lets a retry take over a request whose process died.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    credential: text().notNull(),
    key: text().notNull(),
    claim: uuid().notNull(),
    fingerprint: text().notNull(),
    responseStatus: integer('response_status'),
    responseType: text('response_type'),
    responseBody: text('response_body'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.credential, t.key] }),
    index('idempotency_keys_expiry_idx').on(t.expiresAt),
  ],
)
