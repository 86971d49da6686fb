import { and, eq, isNull, sql } from 'drizzle-orm'
import type { BounceReport } from '../../contracts/reminders.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { contacts, reminderBounces, reminders } from '../../platform/db/schema/index.ts'
import { AppError } from '../../platform/errors.ts'
import { reminderIdOfVerp } from './reminders.job.ts'

const bare = (messageId: string): string => messageId.trim().replace(/^<|>$/g, '').toLowerCase()

/**
 * Records a bounce of a reminder, found by its Message-ID or the VERP address the bounce came
 * back to. A hard bounce marks the customer's contacts with that email: the next resolution
 * passes them over.
 */
export async function recordBounce(
  tx: DbOrTx,
  organizationId: string,
  report: BounceReport,
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
  const marked = await tx
    .update(contacts)
    .set({ bouncedAt: new Date(), bounceReason: report.reason ?? 'The address bounced.' })
    .where(
      and(
        eq(contacts.organizationId, organizationId),
        eq(contacts.customerId, reminder.customerId),
        eq(sql`lower(${contacts.email})`, email),
        isNull(contacts.archivedAt),
      ),
    )
    .returning({ id: contacts.id, email: contacts.email })
  return {
    reminderId: reminder.id,
    contactsMarked: marked.map((m) => ({ id: m.id, email: m.email ?? email })),
  }
}
