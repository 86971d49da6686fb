import { and, asc, eq, isNull } from 'drizzle-orm'
import type { Reminder } from '../../contracts/reminders.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { contacts, reminders, workflowSteps, workflows } from '../../platform/db/schema/index.ts'
import type { CandidateContact } from './recipients.ts'

/** A customer's live contacts as the recipient resolution sees them, main contact first. */
export async function candidateContacts(
  db: DbOrTx,
  organizationId: string,
  customerId: string,
): Promise<CandidateContact[]> {
  return db
    .select({
      id: contacts.id,
      email: contacts.email,
      firstName: contacts.firstName,
      lastName: contacts.lastName,
      role: contacts.role,
      isMain: contacts.isMain,
      bouncedAt: contacts.bouncedAt,
      doNotRemind: contacts.doNotRemind,
    })
    .from(contacts)
    .where(
      and(
        eq(contacts.organizationId, organizationId),
        eq(contacts.customerId, customerId),
        isNull(contacts.archivedAt),
      ),
    )
    .orderBy(asc(contacts.createdAt), asc(contacts.id))
    .then((rows) => rows.sort((a, b) => Number(b.isMain) - Number(a.isMain)))
}

export async function findStep(db: DbOrTx, organizationId: string, id: string) {
  const [row] = await db
    .select({ step: workflowSteps, workflow: workflows.name })
    .from(workflowSteps)
    .innerJoin(
      workflows,
      and(
        eq(workflows.organizationId, workflowSteps.organizationId),
        eq(workflows.id, workflowSteps.workflowId),
      ),
    )
    .where(and(eq(workflowSteps.organizationId, organizationId), eq(workflowSteps.id, id)))
  return row
}

export const toReminder = (row: typeof reminders.$inferSelect): Reminder => ({
  id: row.id,
  customerId: row.customerId,
  stepName: row.stepName,
  status: row.status,
  reason: row.reason,
  to: row.to,
  cc: row.cc,
  subject: row.subject,
  createdAt: row.createdAt.toISOString(),
  sentAt: row.sentAt?.toISOString() ?? null,
})

export async function findReminder(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<Reminder | undefined> {
  const [row] = await db
    .select()
    .from(reminders)
    .where(and(eq(reminders.organizationId, organizationId), eq(reminders.id, id)))
  return row && toReminder(row)
}
