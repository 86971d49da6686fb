import type { WebhookEventType, WebhookPayload } from '../../contracts/webhooks.ts'
import { auditEvents, webhookOutbox } from '../../platform/db/schema/index.ts'

type OutboxRow = typeof webhookOutbox.$inferSelect
type AuditRow = typeof auditEvents.$inferSelect

type Snapshot = Record<string, unknown> | null

/** The fields whose value differs, each with its value before and after (null when absent). */
export function changedFields(
  before: Snapshot,
  after: Snapshot,
): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {}
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
  keys.delete('id')
  for (const key of keys) {
    const was = before?.[key] ?? null
    const is = after?.[key] ?? null
    if (JSON.stringify(was) !== JSON.stringify(is)) changes[key] = { before: was, after: is }
  }
  return changes
}

/**
 * The body posted for an event: Standard Webhooks' `type`, `timestamp` and `data`. A change to a
 * customer or contact is read from its audit row: the record as it is after the change (before
 * it, for a deleted contact), the changed fields and who or what changed them.
 */
export function payloadOf(event: OutboxRow, audit: AuditRow | undefined): WebhookPayload {
  const type = event.type as WebhookEventType
  const timestamp = event.occurredAt.toISOString()
  if (!audit) return { type, timestamp, data: event.data ?? {} }
  const object = audit.entity === 'contact' ? 'contact' : 'customer'
  return {
    type,
    timestamp,
    data: {
      object,
      id: audit.entityId,
      ...(object === 'contact' ? { customerId: audit.customerId } : {}),
      [object]: audit.after ?? audit.before,
      changes: changedFields(audit.before, audit.after),
      actor: { kind: audit.actorKind, label: audit.actorLabel },
      occurredAt: audit.at.toISOString(),
    },
  }
}
