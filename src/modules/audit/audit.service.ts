import { and, desc, eq } from 'drizzle-orm'
import type { z } from 'zod'
import type { auditEvent } from '../../contracts/customers.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { auditEvents } from '../../platform/db/schema/index.ts'
import type { Scope } from '../../platform/auth/scope.ts'

type AuditRow = typeof auditEvents.$inferInsert
export type AuditEvent = z.infer<typeof auditEvent>

export async function recordAudit(
  db: DbOrTx,
  scope: Scope,
  event: Pick<AuditRow, 'entity' | 'entityId' | 'customerId' | 'action' | 'before' | 'after'>,
): Promise<void> {
  await db.insert(auditEvents).values({
    organizationId: scope.organizationId,
    actorKind: scope.actor.kind,
    actorId: scope.actor.id,
    actorLabel: scope.actor.label,
    ...event,
  })
}

/** A customer's history, its contacts' included, newest first. */
export async function customerHistory(
  db: DbOrTx,
  organizationId: string,
  customerId: string,
  limit = 200,
): Promise<AuditEvent[]> {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(
      and(eq(auditEvents.organizationId, organizationId), eq(auditEvents.customerId, customerId)),
    )
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit)
  return rows.map((row) => ({
    id: row.id,
    entity: row.entity,
    entityId: row.entityId,
    action: row.action,
    actor: { kind: row.actorKind, id: row.actorId, label: row.actorLabel },
    at: row.at.toISOString(),
    before: row.before,
    after: row.after,
  }))
}
