import { and, eq } from 'drizzle-orm'
import {
  isSlackWebhookUrl,
  slackWebhookOrigin,
  type NotificationKind,
} from '../../contracts/notifications.ts'
import type { Config } from '../../platform/config.ts'
import type { Db } from '../../platform/db/client.ts'
import { members } from '../../platform/db/schema/index.ts'
import { createMailer, type Mailer } from '../../platform/mail/mailer.ts'
import { defineJob } from '../../platform/queue/queue.ts'
import { insertNotification } from './notifications.queries.ts'

/** One notification to deliver on one external channel. */
export interface DeliverData {
  channel: 'email' | 'slack'
  organizationId: string
  memberId: string
  message: {
    kind: NotificationKind
    title: string
    body: string
    subject: Record<string, string> | null
  }
}

type Deps = {
  db: Db
  config: Config
  /** Where Slack's webhooks are posted: Slack's own host unless a test gives its stand-in. */
  slackOrigin?: string
}
type Recipient = Pick<
  typeof members.$inferSelect,
  'organizationId' | 'id' | 'email' | 'notifyEmail' | 'notifySlack' | 'slackWebhookUrl'
>

const SLACK_TIMEOUT_MS = 10_000

// Warnings go where the queue's own do. None may carry the webhook URL or the SMTP URL: both are
// credentials.
function warn(message: string): void {
  process.emitWarning(message, { code: 'ROSTER_NOTIFICATIONS' })
}

/** Where a notification takes the reader in the web app. */
function linkFor(publicUrl: string, subject: Record<string, string> | null): string {
  if (subject?.importId) return `${publicUrl}/imports/${encodeURIComponent(subject.importId)}`
  if (subject?.webhookEndpointId) return `${publicUrl}/settings/webhooks`
  if (subject?.connectionId) {
    return `${publicUrl}/connections/${encodeURIComponent(subject.connectionId)}`
  }
  return `${publicUrl}/notifications`
}

const mailers = new Map<string, Mailer>()

export function mailerFor(config: Config): Mailer | undefined {
  if (!config.smtpUrl) return undefined
  const key = `${config.smtpUrl}\n${config.mailFrom}`
  let mailer = mailers.get(key)
  if (!mailer) {
    mailer = createMailer(config.smtpUrl, { from: config.mailFrom })
    mailers.set(key, mailer)
  }
  return mailer
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`)

async function sendEmail(config: Config, to: Recipient, message: DeliverData['message']) {
  const mailer = mailerFor(config)
  if (!mailer) {
    warn(`Email notification to member ${to.id} skipped: SMTP_URL is not set.`)
    return
  }
  const link = linkFor(config.publicUrl, message.subject)
  const footer = `You get this email because email notifications are on in your Roster profile (${config.publicUrl}/profile).`
  const paragraphs = message.body.split(/\n{2,}/).map((p) => escapeHtml(p).replace(/\n/g, '<br>'))
  try {
    await mailer.send({
      to: to.email,
      subject: message.title,
      text: `${message.body}\n\nOpen in Roster: ${link}\n\n--\n${footer}\n`,
      html: [
        `<h2>${escapeHtml(message.title)}</h2>`,
        ...paragraphs.map((p) => `<p>${p}</p>`),
        `<p><a href="${escapeHtml(link)}">Open in Roster</a></p>`,
        `<p style="color:#666;font-size:12px">${escapeHtml(footer)}</p>`,
      ].join('\n'),
    })
  } catch (error) {
    // pg-boss stores a failed job's error with its cause: only the reason is kept.
    // eslint-disable-next-line preserve-caught-error -- see above
    throw new Error(`The email could not be sent: ${reasonOf(error)}`)
  }
}

export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  if (error.name === 'TimeoutError') return 'no answer in time'
  const cause: unknown = error.cause
  const code =
    cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : ''
  return code ? `${error.message} (${code})` : error.message
}

// Slack's text format: & < > are its control characters.
const escapeSlack = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function slackText(publicUrl: string, message: DeliverData['message']): string {
  const link = linkFor(publicUrl, message.subject)
  return `*${escapeSlack(message.title)}*\n${escapeSlack(message.body)}\n<${link}|Open in Roster>`
}

/** 403, 404 and 410 mean the webhook was revoked, or its channel deleted or archived. */
const webhookGone = new Set([403, 404, 410])
const worthRetrying = (status: number): boolean => status === 408 || status === 429 || status >= 500

type SlackRecipient = Recipient & { slackWebhookUrl: string }

async function postToSlack(deps: Deps, to: SlackRecipient, data: DeliverData) {
  // Profiles only take Slack's host; one saved before that rule is not posted to.
  if (!isSlackWebhookUrl(to.slackWebhookUrl)) {
    warn(
      `Slack notification to member ${to.id} not delivered: its webhook URL is not on ${slackWebhookOrigin}.`,
    )
    return
  }
  const webhook = new URL(to.slackWebhookUrl)
  const target = new URL(
    `${webhook.pathname}${webhook.search}`,
    deps.slackOrigin ?? slackWebhookOrigin,
  )
  let response: Response
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: slackText(deps.config.publicUrl, data.message) }),
      // Slack's webhooks never redirect; following one would let a URL lead anywhere.
      redirect: 'manual',
      signal: AbortSignal.timeout(SLACK_TIMEOUT_MS),
    })
  } catch (error) {
    // eslint-disable-next-line preserve-caught-error -- as for email, only the reason is stored
    throw new Error(`Slack could not be reached: ${reasonOf(error)}`)
  }
  if (response.ok) {
    await response.body?.cancel()
    return
  }
  // Slack answers with a short error code ("no_service", "channel_is_archived"); any other
  // answer is kept out of the logs.
  const answer = (await response.text().catch(() => '')).trim()
  const why = `Slack answered ${String(response.status)}${/^[a-z_]{1,60}$/.test(answer) ? ` (${answer})` : ''}`
  if (worthRetrying(response.status)) throw new Error(`${why}; the delivery will be retried.`)
  // Throwing would retry an answer that will not change; the job completes instead, and the
  // outcome is recorded where someone will see it.
  if (webhookGone.has(response.status)) {
    const turnedOff = await turnSlackOff(deps.db, to, data.message.title)
    warn(
      `Slack notification to member ${to.id} not delivered: ${why}.${turnedOff ? ' Slack notifications were turned off for this member.' : ''}`,
    )
    return
  }
  warn(`Slack notification to member ${to.id} not delivered: ${why}.`)
}

/**
 * Turns Slack off for a member whose webhook Slack refuses, and tells them in-app, once: only if
 * the webhook has not been changed since.
 */
async function turnSlackOff(db: Db, to: SlackRecipient, missed: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const changed = await tx
      .update(members)
      .set({ notifySlack: false })
      .where(
        and(
          eq(members.organizationId, to.organizationId),
          eq(members.id, to.id),
          eq(members.notifySlack, true),
          eq(members.slackWebhookUrl, to.slackWebhookUrl),
        ),
      )
      .returning({ id: members.id })
    if (changed.length === 0) return false
    await insertNotification(tx, to.organizationId, to.id, {
      kind: 'slack_disabled',
      title: 'Slack notifications turned off',
      body: `Slack refused the webhook URL in your profile, so "${missed}" was not posted there. The webhook may have been removed or its channel archived. Add a new webhook URL in your profile to turn Slack notifications back on.`,
    })
    return true
  })
}

async function handle(deps: Deps, data: DeliverData): Promise<void> {
  // Preferences and addresses are read now: a member who turned a channel off, or changed their
  // webhook, since the job was queued is served as they are now.
  const [to] = await deps.db
    .select({
      organizationId: members.organizationId,
      id: members.id,
      email: members.email,
      notifyEmail: members.notifyEmail,
      notifySlack: members.notifySlack,
      slackWebhookUrl: members.slackWebhookUrl,
    })
    .from(members)
    .where(and(eq(members.organizationId, data.organizationId), eq(members.id, data.memberId)))
  if (!to) return
  switch (data.channel) {
    case 'email':
      if (to.notifyEmail) await sendEmail(deps.config, to, data.message)
      return
    case 'slack':
      if (to.notifySlack && to.slackWebhookUrl) {
        await postToSlack(deps, { ...to, slackWebhookUrl: to.slackWebhookUrl }, data)
      }
      return
  }
}

/** Delivers a notification by email or on Slack; throwing makes pg-boss retry with back-off. */
export const deliverNotification = defineJob<DeliverData, Deps>({
  name: 'notifications.deliver',
  queue: { retryLimit: 5, retryDelay: 30, retryBackoff: true },
  handle,
})
