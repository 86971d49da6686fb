import { and, asc, count, eq, inArray, notInArray, sql } from 'drizzle-orm'
import type {
  Workflow,
  WorkflowCreate,
  WorkflowPatch,
  WorkflowStep,
  WorkflowStepInput,
} from '../../contracts/workflows.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { customers, workflowSteps, workflows } from '../../platform/db/schema/index.ts'
import { AppError, isUniqueViolation, notFound } from '../../platform/errors.ts'
import { recordAudit } from '../audit/audit.service.ts'

type StepRow = typeof workflowSteps.$inferSelect

export const toStep = (row: StepRow): WorkflowStep => ({
  id: row.id,
  name: row.name,
  delayDays: row.delayDays,
  subject: row.subject,
  body: row.body,
  to: row.to,
  cc: row.cc,
})

function nameTaken(error: unknown, name: string | undefined): never {
  if (isUniqueViolation(error, 'workflows_name_unique')) {
    throw new AppError('conflict', `A workflow named "${name ?? ''}" already exists.`, [
      { path: 'name', message: 'Already used.' },
    ])
  }
  throw error
}

async function readWorkflows(db: DbOrTx, organizationId: string, id?: string): Promise<Workflow[]> {
  const rows = await db
    .select()
    .from(workflows)
    .where(and(eq(workflows.organizationId, organizationId), id ? eq(workflows.id, id) : undefined))
    .orderBy(asc(sql`lower(${workflows.name})`))
  if (rows.length === 0) return []
  const ids = rows.map((row) => row.id)
  const steps = await db
    .select()
    .from(workflowSteps)
    .where(
      and(eq(workflowSteps.organizationId, organizationId), inArray(workflowSteps.workflowId, ids)),
    )
    .orderBy(asc(workflowSteps.position))
  const counts = await db
    .select({ workflowId: customers.workflowId, n: count() })
    .from(customers)
    .where(and(eq(customers.organizationId, organizationId), inArray(customers.workflowId, ids)))
    .groupBy(customers.workflowId)
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    steps: steps.filter((step) => step.workflowId === row.id).map(toStep),
    customerCount: counts.find((c) => c.workflowId === row.id)?.n ?? 0,
    createdAt: row.createdAt.toISOString(),
  }))
}

export async function getWorkflow(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<Workflow> {
  const [found] = await readWorkflows(db, organizationId, id)
  if (!found) throw notFound('Workflow')
  return found
}

export const listWorkflows = (db: DbOrTx, organizationId: string): Promise<Workflow[]> =>
  readWorkflows(db, organizationId)

/** Writes the ordered list of steps: those with a known id are changed, the others added. */
async function writeSteps(
  tx: DbOrTx,
  organizationId: string,
  workflowId: string,
  steps: WorkflowStepInput[],
): Promise<void> {
  const existing = await tx
    .select({ id: workflowSteps.id })
    .from(workflowSteps)
    .where(
      and(
        eq(workflowSteps.organizationId, organizationId),
        eq(workflowSteps.workflowId, workflowId),
      ),
    )
  const known = new Set(existing.map((row) => row.id))
  steps.forEach((step, index) => {
    if (step.id && !known.has(step.id)) {
      throw new AppError('validation_failed', 'A step id is not one of this workflow’s steps.', [
        {
          path: `steps.${String(index)}.id`,
          message: 'Unknown step; leave the id out to add one.',
        },
      ])
    }
  })
  const kept = steps.flatMap((step) => (step.id ? [step.id] : []))
  await tx
    .delete(workflowSteps)
    .where(
      and(
        eq(workflowSteps.organizationId, organizationId),
        eq(workflowSteps.workflowId, workflowId),
        kept.length > 0 ? notInArray(workflowSteps.id, kept) : undefined,
      ),
    )
  for (const [position, step] of steps.entries()) {
    const values = {
      position,
      name: step.name,
      delayDays: step.delayDays,
      subject: step.subject,
      body: step.body,
      to: step.to,
      cc: step.cc,
    }
    if (step.id) {
      await tx
        .update(workflowSteps)
        .set(values)
        .where(and(eq(workflowSteps.organizationId, organizationId), eq(workflowSteps.id, step.id)))
    } else {
      await tx.insert(workflowSteps).values({ organizationId, workflowId, ...values })
    }
  }
}

export async function addWorkflow(
  tx: DbOrTx,
  organizationId: string,
  input: WorkflowCreate,
): Promise<Workflow> {
  const [row] = await tx
    .insert(workflows)
    .values({ organizationId, name: input.name })
    .returning()
    .catch((error: unknown) => nameTaken(error, input.name))
  if (!row) throw new Error('insert returned no row')
  if (input.steps) await writeSteps(tx, organizationId, row.id, input.steps)
  return getWorkflow(tx, organizationId, row.id)
}

export async function updateWorkflow(
  tx: DbOrTx,
  organizationId: string,
  id: string,
  patch: WorkflowPatch,
): Promise<Workflow> {
  const [row] = await tx
    .select({ id: workflows.id })
    .from(workflows)
    .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, id)))
    .for('update')
  if (!row) throw notFound('Workflow')
  if (patch.name !== undefined) {
    await tx
      .update(workflows)
      .set({ name: patch.name })
      .where(and(eq(workflows.organizationId, organizationId), eq(workflows.id, id)))
      .catch((error: unknown) => nameTaken(error, patch.name))
  }
  if (patch.steps) await writeSteps(tx, organizationId, id, patch.steps)
  return getWorkflow(tx, organizationId, id)
}

/**
 * Deletes a workflow; its customers follow none from then on, and each one's history says which
 * workflow it lost.
 */
export async function deleteWorkflow(
  tx: DbOrTx,
  scope: Scope,
  id: string,
): Promise<{ customersUnassigned: { id: string; name: string }[] }> {
  const org = scope.organizationId
  const [row] = await tx
    .select()
    .from(workflows)
    .where(and(eq(workflows.organizationId, org), eq(workflows.id, id)))
    .for('update')
  if (!row) throw notFound('Workflow')
  const unassigned = await tx
    .update(customers)
    .set({ workflowId: null, updatedAt: new Date() })
    .where(and(eq(customers.organizationId, org), eq(customers.workflowId, id)))
    .returning({ id: customers.id, name: customers.name })
  for (const customer of unassigned) {
    await recordAudit(tx, scope, {
      entity: 'customer',
      entityId: customer.id,
      customerId: customer.id,
      action: 'update',
      before: { id: customer.id, workflow: row.name },
      after: { id: customer.id, workflow: null },
    })
  }
  await tx.delete(workflows).where(and(eq(workflows.organizationId, org), eq(workflows.id, id)))
  return { customersUnassigned: unassigned.sort((a, b) => a.name.localeCompare(b.name)) }
}
