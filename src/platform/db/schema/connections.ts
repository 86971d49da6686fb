import { jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { organizations } from './organizations.ts'

export const sourceSystem = pgEnum('source_system', [
  'chargebee',
  'netsuite',
  'pennylane',
  'quickbooks',
  'salesforce',
  'sellsy',
  'stripe',
  'xero',
  'zuora',
])

export const connectionStatus = pgEnum('connection_status', [
  'active',
  'paused',
  'needs_reconnection',
])

/**
 * A link to one external system. The sync engine (sources module) fills in credentials, cursor
 * and run history; the store knows connections from the start because customers and contacts
 * record which one owns them.
 */
export const connections = pgTable(
  'connections',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    system: sourceSystem().notNull(),
    name: text().notNull(),
    status: connectionStatus().notNull().default('active'),
    credentials: text(),
    cursor: jsonb(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.id] })],
)
