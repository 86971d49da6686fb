import { and, count, desc, eq, isNull, sql, type SQL } from 'drizzle-orm'
import {
  type Notification,
  type NotificationKind,
  type NotificationList,
  type NotificationListQuery,
} from '../../contracts/notifications.ts'
import { decodeCursor, encodeCursor } from '../../platform/db/cursor.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { members, notifications } from '../../platform/db/schema/index.ts'
import { notFound } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { deliverNotification, type DeliverData } from './notifications.job.ts'
import { insertNotification } from './notifications.queries.ts'

export interface NotificationMessage {
  kind:
    | 'import_completed'
    | 'import_failed'
    | 'connection_needs_reconnection'
    | 'webhook_endpoint_disabled'
  title: string
  body: string
  /** What it is about, e.g. `{ importId }`: the web app and the messages link to it. */
  subject?: Record<string, string>
}

type MemberRow = typeof members.$inferSelect
type NotificationRow = typeof notifications.$inferSelect

/**
 * Notifies a member per their preferences, within the caller's transaction: the in-app
 * notification is written and one delivery job per external channel is enqueued in `tx`, so
 * nothing is sent for work that rolls back. A member who no longer exists is skipped. The process
 * must have been started with `startQueue` (src/app/jobs.ts), which creates every queue.
 */
export async function notifyMember(
  tx: DbOrTx,
  queue: Queue,
  organizationId: string,
  memberId: string,
  message: NotificationMessage,
): Promise<void> {
  const [member] = await tx
    .select()
    .from(members)
    .where(and(eq(members.organizationId, organizationId), eq(members.id, memberId)))
  if (member) await notify(tx, queue, member, message)
}

/** Notifies every admin of the organisation, each per their own preferences. */
export async function notifyAdmins(
  tx: DbOrTx,
  queue: Queue,
  organizationId: string,
  message: NotificationMessage,
): Promise<void> {
  const admins = await tx
    .select()
    .from(members)
    .where(and(eq(members.organizationId, organizationId), eq(members.role, 'admin')))
  for (const admin of admins) await notify(tx, queue, admin, message)
}

async function notify(
  tx: DbOrTx,
  queue: Queue,
  member: MemberRow,
  message: NotificationMessage,
): Promise<void> {
  if (member.notifyInApp) await insertNotification(tx, member.organizationId, member.id, message)
  const channels: DeliverData['channel'][] = []
  if (member.notifyEmail) channels.push('email')
  if (member.notifySlack && member.slackWebhookUrl) channels.push('slack')
  for (const channel of channels) {
    // The job carries who and what, not where: the address and webhook are read when it runs.
    await queue.enqueue(tx, deliverNotification, {
      channel,
      organizationId: member.organizationId,
      memberId: member.id,
      message: {
        kind: message.kind,
        title: message.title,
        body: message.body,
        subject: message.subject ?? null,
      },
    })
  }
}

function toSubject(value: unknown): Record<string, string> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  )
}

const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  kind: row.kind as NotificationKind,
  title: row.title,
  body: row.body,
  subject: toSubject(row.subject),
  createdAt: row.createdAt.toISOString(),
  readAt: row.readAt?.toISOString() ?? null,
})

// The cursor keeps created_at to the microsecond: a JavaScript Date would round it and skip or
// repeat notifications created in the same millisecond.
const createdAtText = sql<string>`to_char(${notifications.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

const ofMember = (organizationId: string, memberId: string): SQL | undefined =>
  and(eq(notifications.organizationId, organizationId), eq(notifications.memberId, memberId))

/** A member's notifications, newest first, and how many are unread. */
export async function listNotifications(
  db: DbOrTx,
  organizationId: string,
  memberId: string,
  query: NotificationListQuery,
): Promise<NotificationList> {
  const conditions = [ofMember(organizationId, memberId)]
  if (query.unread === true) conditions.push(isNull(notifications.readAt))
  if (query.cursor) {
    const [createdAt, id] = decodeCursor(query.cursor, (at) => !Number.isNaN(Date.parse(at)))
    conditions.push(
      sql`(${notifications.createdAt}, ${notifications.id}) < (${createdAt}::timestamptz, ${id}::uuid)`,
    )
  }
  const rows = await db
    .select({ notification: notifications, cursorAt: createdAtText })
    .from(notifications)
    .where(and(...conditions))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  const [unread] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(ofMember(organizationId, memberId), isNull(notifications.readAt)))
  return {
    data: page.map((row) => toNotification(row.notification)),
    unread: unread?.n ?? 0,
    nextCursor:
      rows.length > query.limit && last ? encodeCursor(last.cursorAt, last.notification.id) : null,
  }
}

/** Marks one of the member's notifications read; reading it again keeps the first time. */
export async function markNotificationRead(
  db: DbOrTx,
  organizationId: string,
  memberId: string,
  id: string,
): Promise<Notification> {
  const [row] = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
    .where(and(ofMember(organizationId, memberId), eq(notifications.id, id)))
    .returning()
  if (!row) throw notFound('Notification')
  return toNotification(row)
}

/** Marks all the member's unread notifications read; returns how many there were. */
export async function markAllNotificationsRead(
  db: DbOrTx,
  organizationId: string,
  memberId: string,
): Promise<number> {
  const rows = await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(and(ofMember(organizationId, memberId), isNull(notifications.readAt)))
    .returning({ id: notifications.id })
  return rows.length
}
