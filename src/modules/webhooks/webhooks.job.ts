import { and, eq, sql, type SQL } from 'drizzle-orm'
import { Webhook } from 'standardwebhooks'
import type { Vault } from '../../platform/auth/encryption.ts'
import type { WebhookSettings } from '../../platform/config.ts'
import type { Db } from '../../platform/db/client.ts'
import {
  auditEvents,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  webhookOutbox,
} from '../../platform/db/schema/index.ts'
import { webhookUrlRefusal } from '../../platform/http/outbound.ts'
import { defineJob, type Queue } from '../../platform/queue/queue.ts'
import { notifyAdmins } from '../notifications/notifications.service.ts'
import { payloadOf } from './payload.ts'
import { postWebhook, type PostOutcome } from './post.ts'
import { secretContext } from './webhooks.service.ts'

export interface WebhookJobDeps {
  db: Db
  queue: Queue
  config: { webhooks: WebhookSettings }
  vault: Vault
  hooks?: {
    /** Deliver only these organisations' webhooks (a test keeps to its own). */
    webhookOrganizations?: readonly string[]
  }
}

/** Deliveries claimed at once, and posted side by side. */
const BATCH = 10
/** A claim outlives the request's timeout by this much: past it, another worker takes it. */
const LEASE_MARGIN_MS = 30_000
/** A next attempt due within this is waited for in the job rather than left to the next wake. */
const WAIT_WITHIN_MS = 1_000

type Claimed = typeof webhookDeliveries.$inferSelect

const inScope = (deps: WebhookJobDeps): SQL => {
  const orgs = deps.hooks?.webhookOrganizations
  return orgs
    ? sql`d.organization_id in (${sql.join(
        orgs.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`
    : sql`true`
}

/** Whether a delivery of an enabled endpoint is due: pending, or claimed by a worker that died. */
async function dueWithin(deps: WebhookJobDeps, ms: number): Promise<boolean> {
  const result = await deps.db.execute(sql`
    select 1 from webhook_deliveries d
    join webhook_endpoints e
      on e.organization_id = d.organization_id and e.id = d.endpoint_id and e.enabled
    where d.status in ('pending', 'sending')
      and d.due_at <= now() + ${`${String(ms)} milliseconds`}::interval and ${inScope(deps)}
    limit 1`)
  return result.rows.length > 0
}

/**
 * Claims due deliveries (SKIP LOCKED: workers side by side take different ones), counting the
 * attempt and leasing each for the request's timeout and a margin.
 */
async function claim(deps: WebhookJobDeps): Promise<Claimed[]> {
  const leaseMs = deps.config.webhooks.timeoutMs + LEASE_MARGIN_MS
  const result = await deps.db.execute(sql`
    with due as (
      select d.organization_id, d.id from webhook_deliveries d
      join webhook_endpoints e
        on e.organization_id = d.organization_id and e.id = d.endpoint_id and e.enabled
      where d.status in ('pending', 'sending') and d.due_at <= now() and ${inScope(deps)}
      order by d.due_at
      limit ${BATCH}
      for update of d skip locked
    )
    update webhook_deliveries d
    set status = 'sending', attempts = d.attempts + 1, last_attempt_at = now(),
      due_at = now() + ${`${String(leaseMs)} milliseconds`}::interval
    from due
    where d.organization_id = due.organization_id and d.id = due.id
    returning d.organization_id, d.id`)
  const ids = result.rows as { organization_id: string; id: string }[]
  const rows: Claimed[] = []
  for (const { organization_id: org, id } of ids) {
    const [row] = await deps.db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.organizationId, org), eq(webhookDeliveries.id, id)))
    if (row) rows.push(row)
  }
  return rows
}

/** Signs and posts one claimed delivery, then records what happened. */
async function attempt(deps: WebhookJobDeps, delivery: Claimed, signal?: AbortSignal) {
  const { db, vault } = deps
  const settings = deps.config.webhooks
  const [endpoint] = await db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.organizationId, delivery.organizationId),
        eq(webhookEndpoints.id, delivery.endpointId),
      ),
    )
  const [event] = await db
    .select()
    .from(webhookOutbox)
    .where(
      and(
        eq(webhookOutbox.organizationId, delivery.organizationId),
        eq(webhookOutbox.id, delivery.eventId),
      ),
    )
  if (!endpoint || !event) return
  const [audit] = event.auditEventId
    ? await db
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.organizationId, event.organizationId),
            eq(auditEvents.id, event.auditEventId),
          ),
        )
    : []
  const body = JSON.stringify(payloadOf(event, audit))
  const refusal = await webhookUrlRefusal(endpoint.url, { allowLocal: settings.allowLocal })
  let outcome: PostOutcome
  if (refusal) {
    outcome = { kind: 'failed', reason: `The URL ${refusal}.`, durationMs: 0 }
  } else {
    const secret = await vault.decrypt(
      endpoint.secret,
      secretContext(endpoint.organizationId, endpoint.id),
    )
    const sentAt = new Date()
    const signature = new Webhook(secret).sign(event.id, sentAt, body)
    outcome = await postWebhook(
      endpoint.url,
      {
        'content-type': 'application/json',
        'user-agent': 'Roster-Webhooks/1',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      { timeoutMs: settings.timeoutMs, allowLocal: settings.allowLocal, signal },
    )
  }
  await record(deps, delivery, endpoint.url, outcome)
}

const errorOf = (outcome: PostOutcome): string | null => {
  switch (outcome.kind) {
    case 'answered':
      return outcome.status >= 200 && outcome.status < 300
        ? null
        : `The endpoint answered ${String(outcome.status)}.`
    case 'failed':
      return outcome.reason
    case 'interrupted':
      return 'Roster stopped during the attempt: it is sent again with the same webhook-id.'
  }
}

/**
 * Records an attempt, unless the claim lapsed and another worker took the delivery since: a
 * success ends it; Roster stopping sends it again at once; a failure is retried after the next
 * wait of the schedule, and after the last one the endpoint is turned off and the admins told.
 */
async function record(deps: WebhookJobDeps, delivery: Claimed, url: string, outcome: PostOutcome) {
  const delays = deps.config.webhooks.retryDelaysMs
  const error = errorOf(outcome)
  const status = outcome.kind === 'answered' ? outcome.status : null
  await deps.db.transaction(async (tx) => {
    const ours = and(
      eq(webhookDeliveries.organizationId, delivery.organizationId),
      eq(webhookDeliveries.id, delivery.id),
      eq(webhookDeliveries.status, 'sending'),
      eq(webhookDeliveries.attempts, delivery.attempts),
    )
    const common = { responseStatus: status, durationMs: outcome.durationMs, error }
    const delayMs = delays[delivery.attempts - 1]
    const giveUp = error !== null && outcome.kind !== 'interrupted' && delayMs === undefined
    const [updated] = await tx
      .update(webhookDeliveries)
      .set(
        error === null
          ? { ...common, status: 'delivered', deliveredAt: sql`now()` }
          : outcome.kind === 'interrupted'
            ? { ...common, status: 'pending', dueAt: sql`now()` }
            : giveUp
              ? { ...common, status: 'failed' }
              : {
                  ...common,
                  status: 'pending',
                  dueAt: sql`now() + ${`${String(delayMs)} milliseconds`}::interval`,
                },
      )
      .where(ours)
      .returning({ id: webhookDeliveries.id })
    if (!updated) return
    await tx.insert(webhookAttempts).values({
      organizationId: delivery.organizationId,
      deliveryId: delivery.id,
      attempt: delivery.attempts,
      ...common,
    })
    if (giveUp) await disable(tx, deps.queue, delivery, url, error)
  })
}

async function disable(
  tx: Parameters<Parameters<Db['transaction']>[0]>[0],
  queue: Queue,
  delivery: Claimed,
  url: string,
  error: string,
): Promise<void> {
  const reason = `Deliveries failed for a day (last: ${error}); turned off by Roster.`
  const [turnedOff] = await tx
    .update(webhookEndpoints)
    .set({ enabled: false, disabledReason: reason, updatedAt: sql`now()` })
    .where(
      and(
        eq(webhookEndpoints.organizationId, delivery.organizationId),
        eq(webhookEndpoints.id, delivery.endpointId),
        eq(webhookEndpoints.enabled, true),
      ),
    )
    .returning({ id: webhookEndpoints.id })
  if (!turnedOff) return
  await notifyAdmins(tx, queue, delivery.organizationId, {
    kind: 'webhook_endpoint_disabled',
    title: 'A webhook endpoint was turned off',
    body: `Roster could not deliver to ${url} for a day (last: ${error}) and stopped sending to it. Fix the receiver, then turn the endpoint on again in Settings → Webhooks: what is waiting is sent then, and failed deliveries can be replayed.`,
    subject: { webhookEndpointId: delivery.endpointId },
  })
}

/**
 * Posts the outbox's due deliveries until none is left (waiting a moment for a retry due within
 * a second), then ends; the wake sends it again when more are due. A restart mid-request sends
 * that delivery again with the same webhook-id: delivery is at least once, and receivers
 * de-duplicate by webhook-id.
 */
export const deliverWebhooks = defineJob<Record<string, never>, WebhookJobDeps>({
  name: 'webhooks.deliver',
  queue: { policy: 'stately', retryLimit: 0, expireInSeconds: 15 * 60, heartbeatSeconds: 10 },
  wake: { everyMs: 1_000, due: (deps) => dueWithin(deps, 0) },
  handle: async (deps, _data, _job, context) => {
    const signal = context?.signal
    while (!signal?.aborted) {
      const claimed = await claim(deps)
      if (claimed.length > 0) {
        await Promise.all(claimed.map((delivery) => attempt(deps, delivery, signal)))
        continue
      }
      if (!(await dueWithin(deps, WAIT_WITHIN_MS))) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  },
})

/** How long the delivery log keeps a delivery that ended (delivered or failed). */
export const KEEP_DELIVERIES_DAYS = 30

/** Forgets deliveries that ended a month ago, and the events no delivery refers to any more. */
export const pruneWebhooks = defineJob<object, { db: Db }>({
  name: 'webhooks.prune',
  cron: '41 3 * * *',
  queue: { policy: 'singleton', retryLimit: 0, expireInSeconds: 15 * 60 },
  handle: async ({ db }) => {
    const keep = `${String(KEEP_DELIVERIES_DAYS)} days`
    await db.execute(sql`
      delete from webhook_deliveries
      where status in ('delivered', 'failed') and created_at < now() - ${keep}::interval`)
    await db.execute(sql`
      delete from webhook_outbox o
      where o.occurred_at < now() - ${keep}::interval
        and not exists (
          select 1 from webhook_deliveries d
          where d.organization_id = o.organization_id and d.event_id = o.id)`)
  },
})
