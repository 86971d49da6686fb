import { and, asc, eq, isNotNull, isNull, or, sql } from 'drizzle-orm'
import type { Reminder } from '../../contracts/reminders.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import {
  contacts,
  customers,
  reminders,
  workflowSteps,
  workflows,
} from '../../platform/db/schema/index.ts'
import { AppError } from '../../platform/errors.ts'
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
      doNotRemind: sql<boolean>`${contacts.doNotRemind} or ${contacts.emailOptedOut}`,
    })
    .from(contacts)
    .where(
      and(
        eq(contacts.organizationId, organizationId),
        eq(contacts.customerId, customerId),
        isNull(contacts.archivedAt),
        // A contact its source holds without an email cannot receive anything.
        isNotNull(contacts.email),
      ),
    )
    .orderBy(asc(contacts.createdAt), asc(contacts.id))
    .then((rows) =>
      rows
        .flatMap((row) => (row.email === null ? [] : [{ ...row, email: row.email }]))
        .sort((a, b) => Number(b.isMain) - Number(a.isMain)),
    )
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

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A live customer by its Roster id or its customer ID (the id in the source system). */
export async function findCustomerByRef(db: DbOrTx, organizationId: string, ref: string) {
  const [row] = await db
    .select({ id: customers.id, workflowId: customers.workflowId })
    .from(customers)
    .where(
      and(
        eq(customers.organizationId, organizationId),
        isNull(customers.archivedAt),
        uuidPattern.test(ref)
          ? or(eq(customers.id, ref), eq(customers.externalId, ref))
          : eq(customers.externalId, ref),
      ),
    )
    .limit(1)
  if (!row) {
    throw new AppError('not_found', `No customer with the id or customer ID "${ref}".`)
  }
  return row
}

/**
 * A step by its name: among the steps of the customer's workflow, else among all the
 * organisation's steps when only one has that name.
 */
export async function findStepByName(
  db: DbOrTx,
  organizationId: string,
  workflowId: string | null,
  name: string,
): Promise<string> {
  const rows = await db
    .select({
      id: workflowSteps.id,
      workflowId: workflowSteps.workflowId,
      workflow: workflows.name,
    })
    .from(workflowSteps)
    .innerJoin(
      workflows,
      and(
        eq(workflows.organizationId, workflowSteps.organizationId),
        eq(workflows.id, workflowSteps.workflowId),
      ),
    )
    .where(
      and(
        eq(workflowSteps.organizationId, organizationId),
        eq(sql`lower(${workflowSteps.name})`, name.trim().toLowerCase()),
      ),
    )
  const own = rows.find((row) => row.workflowId === workflowId)
  if (own) return own.id
  const [only, ...more] = rows
  if (only && more.length === 0) return only.id
  if (!only) throw new AppError('not_found', `No reminder step is named "${name}".`)
  throw new AppError(
    'conflict',
    `Several workflows have a step named "${name}" (${rows.map((r) => r.workflow).join(', ')}) and the customer follows none of them; assign the customer a workflow.`,
  )
}
