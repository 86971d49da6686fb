import { and, eq, inArray } from 'drizzle-orm'
import type { Actor } from '../../platform/auth/scope.ts'
import type { Config } from '../../platform/config.ts'
import type { Db, DbOrTx } from '../../platform/db/client.ts'
import { customers, reminders } from '../../platform/db/schema/index.ts'
import { createMailer, type Mailer } from '../../platform/mail/mailer.ts'
import { defineJob } from '../../platform/queue/queue.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { clearBounces } from './bounces.service.ts'

export interface SendReminderData {
  organizationId: string
  reminderId: string
}

type Deps = { db: Db; config: Config }

const RETRY_LIMIT = 4

/** The address bounces come back to: ROSTER_BOUNCE_ADDRESS, else that of ROSTER_MAIL_FROM. */
export function bounceAddress(config: Pick<Config, 'bounceAddress' | 'mailFrom'>): string {
  return config.bounceAddress ?? /<([^>]+)>/.exec(config.mailFrom)?.[1] ?? config.mailFrom
}

/** The address a reminder's bounces come back to: `local+<reminder id>@domain` (VERP). */
export function verpAddress(config: Config, reminderId: string): string {
  const base = bounceAddress(config)
  const at = base.lastIndexOf('@')
  return `${base.slice(0, at)}+${reminderId}${base.slice(at)}`
}

/** Whether mail to `address` is mail to the bounce address, with or without a `+tag`. */
export function isBounceAddress(
  config: Pick<Config, 'bounceAddress' | 'mailFrom'>,
  address: string,
): boolean {
  const base = bounceAddress(config).toLowerCase()
  const at = base.lastIndexOf('@')
  const wanted = address.trim().toLowerCase()
  const wantedAt = wanted.lastIndexOf('@')
  if (wantedAt === -1 || wanted.slice(wantedAt) !== base.slice(at)) return false
  const local = wanted.slice(0, wantedAt)
  return local === base.slice(0, at) || local.startsWith(`${base.slice(0, at)}+`)
}

/** The reminder a VERP address names, or undefined. */
export function reminderIdOfVerp(address: string): string | undefined {
  return /\+([0-9a-f-]{36})@/i.exec(address)?.[1]?.toLowerCase()
}

const mailers = new Map<string, Mailer>()
function mailerFor(config: Config): Mailer | undefined {
  if (!config.smtpUrl) return undefined
  const key = `${config.smtpUrl}\n${config.mailFrom}`
  let mailer = mailers.get(key)
  if (!mailer) {
    mailer = createMailer(config.smtpUrl, { from: config.mailFrom })
    mailers.set(key, mailer)
  }
  return mailer
}

/** An SMTP refusal that will not change on retry (5xx), as opposed to a server down or busy. */
function permanent(error: unknown): boolean {
  const code =
    error instanceof Error && 'responseCode' in error ? Number(error.responseCode) : Number.NaN
  return code >= 500 && code < 600
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const response = 'response' in error && typeof error.response === 'string' ? error.response : ''
  if (response) return `the mail server refused it: ${response}`
  const code = 'code' in error && typeof error.code === 'string' ? error.code : ''
  if (code === 'ECONNREFUSED' || code === 'ESOCKET' || code === 'ECONNECTION') {
    return `the mail server could not be reached (${code})`
  }
  if (code === 'ETIMEDOUT') return 'the mail server did not answer in time'
  return code ? `${error.message} (${code})` : error.message
}

async function fail(db: Db, data: SendReminderData, reason: string): Promise<void> {
  await db
    .update(reminders)
    .set({ status: 'failed', reason })
    .where(
      and(
        eq(reminders.organizationId, data.organizationId),
        eq(reminders.id, data.reminderId),
        inArray(reminders.status, ['queued', 'sending']),
      ),
    )
}

/** Why a reminder found `sending` on a retry is not sent again. */
export const unconfirmedReason =
  'Delivery not confirmed: Roster stopped while handing this reminder to the mail server, so it may have gone out. It was not sent again, so that nobody receives it twice; check the mail server’s log for its Message-ID, or send a new reminder.'

/** The reminder as the customer's history shows a send, by the member who sent it. */
async function recordSend(
  tx: DbOrTx,
  sent: typeof reminders.$inferSelect,
  delivery: 'sent' | 'unconfirmed',
): Promise<void> {
  await recordAudit(
    tx,
    { organizationId: sent.organizationId, actor: senderOf(sent) },
    {
      entity: 'reminder',
      entityId: sent.id,
      customerId: sent.customerId,
      action: 'send',
      before: null,
      after: {
        step: sent.stepName,
        to: sent.to.map((r) => r.email),
        cc: sent.cc.map((r) => r.email),
        subject: sent.subject,
        ...(delivery === 'unconfirmed' ? { status: 'unconfirmed' } : {}),
      },
    },
  )
}

const senderOf = (reminder: typeof reminders.$inferSelect): Actor => ({
  kind: reminder.actorKind,
  id: reminder.actorId,
  label: reminder.actorLabel,
  role: 'member',
})

/**
 * A reminder found `sending`: an earlier attempt stopped (the process died) after handing it to
 * the mail server and before recording the outcome. Whether the server took it is not known, so
 * it is not sent again: it is marked `unconfirmed` with the reason, and kept on the history.
 */
async function settleInterrupted(db: Db, data: SendReminderData): Promise<void> {
  await db.transaction(async (tx) => {
    const [settled] = await tx
      .update(reminders)
      .set({ status: 'unconfirmed', reason: unconfirmedReason })
      .where(
        and(
          eq(reminders.organizationId, data.organizationId),
          eq(reminders.id, data.reminderId),
          eq(reminders.status, 'sending'),
        ),
      )
      .returning()
    if (settled) await recordSend(tx, settled, 'unconfirmed')
  })
}

async function handle(deps: Deps, data: SendReminderData, retryCount: number): Promise<void> {
  const { db, config } = deps
  const [reminder] = await db
    .select()
    .from(reminders)
    .where(
      and(eq(reminders.organizationId, data.organizationId), eq(reminders.id, data.reminderId)),
    )
  // Handed to the mail server by an attempt that stopped before recording the outcome.
  if (reminder?.status === 'sending') {
    await settleInterrupted(db, data)
    return
  }
  // Sent or failed already: a retried or repeated job sends nothing twice.
  if (reminder?.status !== 'queued') return
  // A customer archived after the reminder was queued receives nothing.
  const [customer] = await db
    .select({ archivedAt: customers.archivedAt })
    .from(customers)
    .where(
      and(
        eq(customers.organizationId, reminder.organizationId),
        eq(customers.id, reminder.customerId),
      ),
    )
  if (customer?.archivedAt) {
    await fail(db, data, 'Not sent: the customer was archived.')
    return
  }
  const mailer = mailerFor(config)
  if (!mailer) {
    await fail(db, data, 'Email is not set up on this Roster server (SMTP_URL is not set).')
    return
  }
  // Committed before the mail server sees the message: should the process stop between the
  // server taking it and the outcome being recorded, a retry finds it `sending` and sends nothing.
  const [claimed] = await db
    .update(reminders)
    .set({ status: 'sending' })
    .where(
      and(
        eq(reminders.organizationId, data.organizationId),
        eq(reminders.id, reminder.id),
        eq(reminders.status, 'queued'),
      ),
    )
    .returning({ id: reminders.id })
  if (!claimed) return
  const to = reminder.to.map((r) => r.email)
  const cc = reminder.cc.map((r) => r.email)
  let rejected: string[]
  try {
    ;({ rejected } = await mailer.send({
      to,
      cc,
      subject: reminder.subject,
      text: reminder.body,
      messageId: reminder.messageId,
      returnPath: verpAddress(config, reminder.id),
    }))
  } catch (error) {
    const reason = reasonOf(error)
    if (permanent(error) || retryCount >= RETRY_LIMIT) {
      await fail(db, data, `Not sent: ${reason}.`)
      return
    }
    // The mail server answered with an error or could not be reached: nothing went out.
    await db
      .update(reminders)
      .set({ status: 'queued', reason: `Not sent yet (${reason}); it will be tried again.` })
      .where(
        and(
          eq(reminders.organizationId, data.organizationId),
          eq(reminders.id, reminder.id),
          eq(reminders.status, 'sending'),
        ),
      )
    // pg-boss stores a failed job's error with its cause: only the reason is kept.
    // eslint-disable-next-line preserve-caught-error -- see above
    throw new Error(`The reminder could not be sent: ${reason}`)
  }
  await db.transaction(async (tx) => {
    const [sent] = await tx
      .update(reminders)
      .set({
        status: 'sent',
        sentAt: new Date(),
        reason: rejected.length > 0 ? `The mail server refused ${rejected.join(', ')}.` : null,
      })
      .where(
        and(
          eq(reminders.organizationId, data.organizationId),
          eq(reminders.id, reminder.id),
          eq(reminders.status, 'sending'),
        ),
      )
      .returning()
    if (!sent) return
    // A reminder that went out to an address clears its bounced mark.
    const delivered = [...sent.to, ...sent.cc]
      .filter((r) => !rejected.some((e) => e.toLowerCase() === r.email.toLowerCase()))
      .flatMap((r) => (r.contactId ? [r.contactId] : []))
    await clearBounces(tx, sent.organizationId, delivered, senderOf(sent))
    await recordSend(tx, sent, 'sent')
  })
}

/** Sends one reminder by email; failures are retried with back-off, then recorded. */
export const sendReminder = defineJob<SendReminderData, Deps>({
  name: 'reminders.send',
  queue: { retryLimit: RETRY_LIMIT, retryDelay: 30, retryBackoff: true },
  handle: (deps, data, job) => handle(deps, data, job.retryCount),
})
