import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import type { BounceReport } from '../../contracts/reminders.ts'
import type { Actor } from '../../platform/auth/scope.ts'
import type { Db, DbOrTx } from '../../platform/db/client.ts'
import { contacts, reminderBounces, reminders } from '../../platform/db/schema/index.ts'
import { AppError } from '../../platform/errors.ts'
import { recordAudit } from '../audit/audit.service.ts'
import type { DeliveryReport } from './dsn.ts'
import { reminderIdOfVerp } from './reminders.job.ts'

const bare = (messageId: string): string => messageId.trim().replace(/^<|>$/g, '').toLowerCase()

/** Who records a bounce that arrived by email, in the customer's history. */
export const bounceMailActor: Actor = {
  kind: 'source',
  id: null,
  label: 'bounce received by email',
  role: 'member',
}

/**
 * Records a bounce of a reminder, found by its Message-ID or the VERP address the bounce came
 * back to. A hard bounce marks the customer's contacts with that email: the next resolution
 * passes them over; the mark is in the customer's history, by `actor`.
 */
export async function recordBounce(
  tx: DbOrTx,
  organizationId: string,
  report: BounceReport,
  actor: Actor,
): Promise<{ reminderId: string; contactsMarked: { id: string; email: string }[] }> {
  const byVerp = report.verp ? reminderIdOfVerp(report.verp) : undefined
  const [reminder] = await tx
    .select()
    .from(reminders)
    .where(
      and(
        eq(reminders.organizationId, organizationId),
        byVerp
          ? eq(reminders.id, byVerp)
          : eq(sql`lower(${reminders.messageId})`, `<${bare(report.messageId ?? '')}>`),
      ),
    )
  if (!reminder) {
    throw new AppError(
      'not_found',
      'No reminder of this organisation matches this bounce; check the Message-ID or VERP address.',
    )
  }
  const email = report.recipient.toLowerCase()
  const recipient = [...reminder.to, ...reminder.cc].find((r) => r.email.toLowerCase() === email)
  if (!recipient) {
    throw new AppError(
      'validation_failed',
      `${report.recipient} was not a recipient of this reminder.`,
      [{ path: 'recipient', message: 'Not a recipient of the reminder.' }],
    )
  }
  await tx.insert(reminderBounces).values({
    organizationId,
    reminderId: reminder.id,
    email: recipient.email,
    kind: report.kind,
    reason: report.reason ?? null,
  })
  if (report.kind === 'soft') return { reminderId: reminder.id, contactsMarked: [] }
  const bounceReason = report.reason ?? 'The address bounced.'
  const marked = await tx
    .update(contacts)
    .set({ bouncedAt: new Date(), bounceReason })
    .where(
      and(
        eq(contacts.organizationId, organizationId),
        eq(contacts.customerId, reminder.customerId),
        eq(sql`lower(${contacts.email})`, email),
        isNull(contacts.archivedAt),
      ),
    )
    .returning({ id: contacts.id, email: contacts.email })
  for (const contact of marked) {
    await recordAudit(
      tx,
      { organizationId, actor },
      {
        entity: 'contact',
        entityId: contact.id,
        customerId: reminder.customerId,
        action: 'update',
        before: { email: contact.email ?? email, bounceReason: null },
        after: { email: contact.email ?? email, bounceReason },
      },
    )
  }
  return {
    reminderId: reminder.id,
    contactsMarked: marked.map((m) => ({ id: m.id, email: m.email ?? email })),
  }
}

/**
 * Clears the bounce mark of the contacts a reminder just went out to: their email works again.
 * Each cleared mark is in the customer's history, by `actor` (the member who sent the reminder).
 */
export async function clearBounces(
  tx: DbOrTx,
  organizationId: string,
  contactIds: string[],
  actor: Actor,
): Promise<void> {
  if (contactIds.length === 0) return
  const cleared = await tx
    .select({
      id: contacts.id,
      customerId: contacts.customerId,
      email: contacts.email,
      bounceReason: contacts.bounceReason,
    })
    .from(contacts)
    .where(
      and(
        eq(contacts.organizationId, organizationId),
        inArray(contacts.id, contactIds),
        isNotNull(contacts.bouncedAt),
      ),
    )
    .for('update')
  if (cleared.length === 0) return
  await tx
    .update(contacts)
    .set({ bouncedAt: null, bounceReason: null })
    .where(
      and(
        eq(contacts.organizationId, organizationId),
        inArray(
          contacts.id,
          cleared.map((c) => c.id),
        ),
      ),
    )
  for (const contact of cleared) {
    await recordAudit(
      tx,
      { organizationId, actor },
      {
        entity: 'contact',
        entityId: contact.id,
        customerId: contact.customerId,
        action: 'update',
        before: {
          email: contact.email,
          bounceReason: contact.bounceReason ?? 'The address bounced.',
        },
        after: { email: contact.email, bounceReason: null },
      },
    )
  }
}

/** The reminder a delivery status notification is about: by the VERP address, else Message-ID. */
async function reminderOfReport(db: DbOrTx, verpId: string | undefined, messageId: string | null) {
  const columns = {
    organizationId: reminders.organizationId,
    id: reminders.id,
    messageId: reminders.messageId,
  }
  if (verpId) {
    const [byVerp] = await db.select(columns).from(reminders).where(eq(reminders.id, verpId))
    if (byVerp) return byVerp
  }
  if (!messageId) return undefined
  const [byMessageId] = await db
    .select(columns)
    .from(reminders)
    .where(eq(sql`lower(${reminders.messageId})`, `<${bare(messageId)}>`))
  return byMessageId
}

/**
 * Records what a delivery status notification received over SMTP says: each recipient that
 * failed for good is a hard bounce (recordBounce marks the contact), one that failed for now or is
 * delayed a soft one; the reminder is found by the VERP address the report was mailed to, else by
 * the Message-ID in the headers it returns. Answers what was done in a sentence, also when nothing
 * could be (not a report, no known reminder): such a report is never an error.
 */
export async function recordDeliveryReport(
  db: Db,
  envelopeTo: string[],
  report: DeliveryReport | null,
): Promise<string> {
  if (!report) return 'Not a delivery status notification (RFC 3464): ignored.'
  const verp = envelopeTo.find((address) => reminderIdOfVerp(address) !== undefined)
  const reminder = await reminderOfReport(
    db,
    verp ? reminderIdOfVerp(verp) : undefined,
    report.originalMessageId,
  )
  if (!reminder) {
    const about = [
      `sent to ${envelopeTo.join(', ') || 'nobody'}`,
      report.originalMessageId ? `about Message-ID ${report.originalMessageId}` : null,
    ].filter(Boolean)
    return `No reminder matches this delivery status notification (${about.join(', ')}): ignored.`
  }
  const bounces = report.recipients.flatMap((r) => (r.kind ? [{ ...r, kind: r.kind }] : []))
  if (bounces.length === 0) {
    return `Delivery status notification of reminder ${reminder.id}: no failure reported.`
  }
  const done = await db.transaction(async (tx) => {
    const lines: string[] = []
    for (const bounce of bounces) {
      const reason = [bounce.status, bounce.diagnostic].filter(Boolean).join(' ').slice(0, 1000)
      try {
        const { contactsMarked } = await recordBounce(
          tx,
          reminder.organizationId,
          {
            ...(verp ? { verp } : { messageId: reminder.messageId }),
            recipient: bounce.recipient,
            kind: bounce.kind,
            reason: reason === '' ? undefined : reason,
          },
          bounceMailActor,
        )
        lines.push(
          `${bounce.recipient}: ${bounce.kind} bounce${contactsMarked.length > 0 ? ', contact marked bounced' : ''}`,
        )
      } catch (error) {
        // A recipient the reminder was not sent to is said, not fatal to the others.
        if (!(error instanceof AppError)) throw error
        lines.push(`${bounce.recipient}: ${error.message.replace(/\.$/, '')}`)
      }
    }
    return lines
  })
  return `Delivery status notification of reminder ${reminder.id}: ${done.join('; ')}.`
}
