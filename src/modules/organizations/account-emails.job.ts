import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import type { Config } from '../../platform/config.ts'
import type { Db } from '../../platform/db/client.ts'
import { hashToken, newToken } from '../../platform/auth/secrets.ts'
import { invitations, organizations, passwordResets } from '../../platform/db/schema/index.ts'
import { defineJob } from '../../platform/queue/queue.ts'
import { escapeHtml, mailerFor, reasonOf } from '../notifications/notifications.job.ts'

/** An email that lets someone into Roster by a link: an invitation, or a password reset. */
export type AccountEmail =
  | { kind: 'invitation'; organizationId: string; invitationId: string }
  | { kind: 'password_reset'; resetId: string }

type Deps = { db: Db; config: Config }

/** How long an invitation's link works after it is sent. */
export const INVITATION_DAYS = 7

interface Letter {
  to: string
  subject: string
  paragraphs: string[]
  action: string
  link: string
}

function warn(message: string): void {
  process.emitWarning(message, { code: 'ROSTER_ACCOUNT_EMAILS' })
}

/**
 * The link's token is made here, when the email goes, and only its hash is stored: the job's
 * data (kept by the queue) never holds it. A retried job makes a new one; the link of an email
 * that did not leave never worked anyway. The link carries the token after `#`, which browsers
 * send to no server (no access log, no Referer).
 */
async function invitationLetter(
  deps: Deps,
  data: Extract<AccountEmail, { kind: 'invitation' }>,
): Promise<Letter | undefined> {
  const token = newToken('rsi')
  const [row] = await deps.db
    .update(invitations)
    .set({
      tokenHash: hashToken(token),
      sentAt: sql`now()`,
      expiresAt: sql`now() + make_interval(days => ${INVITATION_DAYS})`,
    })
    .from(organizations)
    .where(
      and(
        eq(invitations.organizationId, data.organizationId),
        eq(invitations.id, data.invitationId),
        eq(organizations.id, invitations.organizationId),
      ),
    )
    .returning({
      email: invitations.email,
      invitedBy: invitations.invitedByLabel,
      organization: organizations.name,
    })
  // Withdrawn (or accepted) since it was queued: nothing to send.
  if (!row) return undefined
  return {
    to: row.email,
    subject: `You are invited to ${row.organization} on Roster`,
    paragraphs: [
      `${row.invitedBy} invites you to join ${row.organization} on Roster, where the team keeps its customers and the people to contact there.`,
      `Open the link below to choose your password and sign in. It works for ${String(INVITATION_DAYS)} days, once.`,
    ],
    action: 'Accept the invitation',
    link: `${deps.config.publicUrl}/invitation#token=${token}`,
  }
}

async function resetLetter(
  deps: Deps,
  data: Extract<AccountEmail, { kind: 'password_reset' }>,
): Promise<Letter | undefined> {
  const token = newToken('rsp')
  const [row] = await deps.db
    .update(passwordResets)
    .set({ tokenHash: hashToken(token) })
    .where(
      and(
        eq(passwordResets.id, data.resetId),
        isNull(passwordResets.usedAt),
        gt(passwordResets.expiresAt, new Date()),
      ),
    )
    .returning({ email: passwordResets.email })
  if (!row) return undefined
  return {
    to: row.email,
    subject: 'Choose a new Roster password',
    paragraphs: [
      'Someone (we hope you) asked to choose a new password for the Roster account of this email.',
      'Open the link below to choose it. It works for an hour, once, and signs you out everywhere else. If you did not ask, ignore this email: your password stays as it is.',
    ],
    action: 'Choose a new password',
    link: `${deps.config.publicUrl}/reset-password#token=${token}`,
  }
}

async function handle(deps: Deps, data: AccountEmail): Promise<void> {
  const mailer = mailerFor(deps.config)
  if (!mailer) {
    warn(`The ${data.kind.replace('_', ' ')} email was not sent: SMTP_URL is not set.`)
    return
  }
  const letter =
    data.kind === 'invitation' ? await invitationLetter(deps, data) : await resetLetter(deps, data)
  if (!letter) return
  try {
    await mailer.send({
      to: letter.to,
      subject: letter.subject,
      text: `${letter.paragraphs.join('\n\n')}\n\n${letter.action}: ${letter.link}\n`,
      html: [
        ...letter.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
        `<p><a href="${escapeHtml(letter.link)}">${escapeHtml(letter.action)}</a></p>`,
      ].join('\n'),
    })
  } catch (error) {
    // pg-boss keeps a failed job's error: only the reason, never the link.
    // eslint-disable-next-line preserve-caught-error -- see above
    throw new Error(`The email could not be sent: ${reasonOf(error)}`)
  }
}

/** Sends an invitation or a password reset email; throwing makes pg-boss retry with back-off. */
export const sendAccountEmail = defineJob<AccountEmail, Deps>({
  name: 'members.email',
  queue: { retryLimit: 5, retryDelay: 30, retryBackoff: true },
  handle,
})
