import { sql } from 'drizzle-orm'
import {
  boolean,
  integer,
  char,
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

export const memberRole = pgEnum('member_role', ['admin', 'account_manager', 'member'])

export const organizations = pgTable(
  'organizations',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    slug: text().notNull().unique(),
    defaultCountry: char('default_country', { length: 2 }),
    // The connection contacts are synced from; null: Roster (sources/contact-source.service.ts).
    contactSourceConnectionId: uuid('contact_source_connection_id'),
    // Set once, when an admin disconnects contacts from the invoicing system: from then on Roster
    // is the contact source for good (seed 001).
    contactsDisconnectedAt: timestamp('contacts_disconnected_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // No action on delete: removing a connection clears the contact source in the same
    // transaction, and this refuses a removal that forgot to.
    foreignKey({
      columns: [t.id, t.contactSourceConnectionId],
      foreignColumns: [connections.organizationId, connections.id],
    }),
  ],
)

export const members = pgTable(
  'members',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    email: text().notNull(),
    name: text(),
    role: memberRole().notNull().default('member'),
    passwordHash: text('password_hash'),
    // When they last proved they read this email (an invitation or a password reset by link):
    // only then may their session switch to the other organisations the email belongs to.
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    notifyInApp: boolean('notify_in_app').notNull().default(true),
    notifyEmail: boolean('notify_email').notNull().default(false),
    notifySlack: boolean('notify_slack').notNull().default(false),
    slackWebhookUrl: text('slack_webhook_url'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    uniqueIndex('members_email_unique').on(t.organizationId, sql`lower(${t.email})`),
  ],
)

// Credential tables are looked up by token hash before the tenant is known, so their hash index
// is global; everything else about them is keyed by organisation first like every tenant table.
export const apiKeys = pgTable(
  'api_keys',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    name: text().notNull(),
    prefix: text().notNull(),
    tokenHash: text('token_hash').notNull(),
    createdByMemberId: uuid('created_by_member_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    uniqueIndex('api_keys_token_hash_unique').on(t.tokenHash),
  ],
)

export const sessions = pgTable(
  'sessions',
  {
    organizationId: uuid('organization_id').notNull(),
    id: uuid().notNull().defaultRandom(),
    memberId: uuid('member_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    uniqueIndex('sessions_token_hash_unique').on(t.tokenHash),
    index('sessions_member_idx').on(t.organizationId, t.memberId),
    foreignKey({
      columns: [t.organizationId, t.memberId],
      foreignColumns: [members.organizationId, members.id],
    }).onDelete('cascade'),
  ],
)

/**
 * Failed sign-ins, counted per account (`account:<email>`) and per client address
 * (`address:<ip>`) in one table so that every Roster process counts the same; a key with too many
 * failures in a window is locked until `locked_until`.
 */
export const signInFailures = pgTable('sign_in_failures', {
  key: text().primaryKey(),
  failures: integer().notNull(),
  windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
})

/**
 * An admin's invitation of an email to the organisation, with a role. Its link's token is made
 * when the email is sent (members/account-emails.job.ts), so it is never stored but hashed; a
 * resend makes a new one and the old link stops working. Accepting it creates the member and
 * deletes the invitation.
 */
export const invitations = pgTable(
  'invitations',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    email: text().notNull(),
    role: memberRole().notNull(),
    invitedByMemberId: uuid('invited_by_member_id'),
    invitedByLabel: text('invited_by_label').notNull(),
    tokenHash: text('token_hash'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    uniqueIndex('invitations_email_unique').on(t.organizationId, sql`lower(${t.email})`),
    uniqueIndex('invitations_token_hash_unique').on(t.tokenHash),
  ],
)

/**
 * A request to reset the password of an email (every organisation it is a member of: a person
 * signs in, and switches organisations, by email). Looked up by token hash before any tenant is
 * known, like sessions; the token is made when the email is sent, and used once.
 */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    tokenHash: text('token_hash'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('password_resets_token_hash_unique').on(t.tokenHash),
    index('password_resets_email_idx').on(sql`lower(${t.email})`, t.createdAt),
  ],
)
