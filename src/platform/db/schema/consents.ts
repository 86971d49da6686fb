import { jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import type { Actor } from '../../auth/scope.ts'
import { organizations } from './organizations.ts'
import { sourceSystem } from './connections.ts'

/**
 * A consent under way (OAuth2 authorization code): opened when an admin leaves for the system's
 * consent page, used once by its callback, then kept until the admin picks a tenant when the
 * system gave several. Its state is stored hashed; its secrets (the client secret, the PKCE
 * verifier, then the tokens) are vault ciphertext, like a connection's credentials.
 */
export const oauthConsents = pgTable(
  'oauth_consents',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    // sha256 of the state sent to the system, hex.
    stateHash: text('state_hash').notNull(),
    system: sourceSystem().notNull(),
    // pending → choosing (several tenants) → done; pending → done.
    status: text().$type<'pending' | 'choosing' | 'done'>().notNull().default('pending'),
    name: text(),
    // Consent again for this connection (a reconnection) instead of a new one.
    connectionId: uuid('connection_id'),
    // Who started it: the connection is created in their name.
    actor: jsonb().$type<Actor>().notNull(),
    settings: jsonb().notNull().default({}),
    credentials: text().notNull(),
    tenants: jsonb().$type<{ id: string; name: string }[]>(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    // The callback knows only the state: the one lookup across organisations.
    uniqueIndex('oauth_consents_state_unique').on(t.stateHash),
  ],
)
