import {
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'
import { members } from './organizations.ts'

/** In-app notifications of a member (import finished or failed, a source needing reconnection). */
export const notifications = pgTable(
  'notifications',
  {
    organizationId: uuid('organization_id').notNull(),
    id: uuid().notNull().defaultRandom(),
    memberId: uuid('member_id').notNull(),
    kind: text().notNull(),
    title: text().notNull(),
    body: text().notNull(),
    // What the notification is about, e.g. { "importId": "…" }, so the web app can link to it.
    subject: jsonb().$type<Record<string, string>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    index('notifications_member_idx').on(t.organizationId, t.memberId, t.createdAt),
    foreignKey({
      columns: [t.organizationId, t.memberId],
      foreignColumns: [members.organizationId, members.id],
    }).onDelete('cascade'),
  ],
)
