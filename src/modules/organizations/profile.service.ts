import { and, eq } from 'drizzle-orm'
import {
  slackNeedsWebhook,
  type Profile,
  type ProfilePatch,
} from '../../contracts/notifications.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { members } from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'

type MemberRow = typeof members.$inferSelect

const toProfile = (row: MemberRow): Profile => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  notifications: {
    inApp: row.notifyInApp,
    email: row.notifyEmail,
    slack: row.notifySlack,
    slackWebhookUrl: row.slackWebhookUrl,
  },
})

async function memberRow(db: DbOrTx, organizationId: string, memberId: string, lock = false) {
  const query = db
    .select()
    .from(members)
    .where(and(eq(members.organizationId, organizationId), eq(members.id, memberId)))
  const [row] = lock ? await query.for('update') : await query
  if (!row) throw notFound('Member')
  return row
}

export async function getProfile(
  db: DbOrTx,
  organizationId: string,
  memberId: string,
): Promise<Profile> {
  return toProfile(await memberRow(db, organizationId, memberId))
}

/** Changes the member's name and notification preferences; fields left out stay as they are. */
export async function updateProfile(
  db: DbOrTx,
  organizationId: string,
  memberId: string,
  patch: ProfilePatch,
): Promise<Profile> {
  const current = await memberRow(db, organizationId, memberId, true)
  const wanted = patch.notifications ?? {}
  const slack = wanted.slack ?? current.notifySlack
  const slackWebhookUrl =
    wanted.slackWebhookUrl === undefined ? current.slackWebhookUrl : wanted.slackWebhookUrl
  if (slack && !slackWebhookUrl) {
    throw new AppError('validation_failed', slackNeedsWebhook, [
      { path: 'notifications.slackWebhookUrl', message: slackNeedsWebhook },
    ])
  }
  const [row] = await db
    .update(members)
    .set({
      ...(patch.name === undefined ? {} : { name: patch.name }),
      notifyInApp: wanted.inApp ?? current.notifyInApp,
      notifyEmail: wanted.email ?? current.notifyEmail,
      notifySlack: slack,
      slackWebhookUrl,
    })
    .where(and(eq(members.organizationId, organizationId), eq(members.id, memberId)))
    .returning()
  if (!row) throw notFound('Member')
  return toProfile(row)
}
