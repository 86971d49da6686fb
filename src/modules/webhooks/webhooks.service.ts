import { randomBytes, randomUUID } from 'node:crypto'
import { and, desc, eq, sql } from 'drizzle-orm'
import type {
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookDeliveryListQuery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointPatch,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from '../../contracts/webhooks.ts'
import type { Vault } from '../../platform/auth/encryption.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { decodeCursor, encodeCursor } from '../../platform/db/cursor.ts'
import {
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  webhookOutbox,
} from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { webhookUrlRefusal } from '../../platform/http/outbound.ts'

type EndpointRow = typeof webhookEndpoints.$inferSelect

/** What the endpoint rules depend on: whether http:// and local addresses are allowed. */
export interface EndpointRules {
  allowLocal: boolean
}

/** A signing secret as Standard Webhooks writes it: `whsec_` and 24 random bytes in base64. */
const newSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`

/** The secret is bound to its endpoint, as connection credentials are to their connection. */
export const secretContext = (organizationId: string, endpointId: string): string =>
  `webhook-endpoint:${organizationId}:${endpointId}`

const toEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  events: row.events as WebhookEventType[],
  description: row.description,
  enabled: row.enabled,
  disabledReason: row.disabledReason,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})

async function checkUrl(url: string, rules: EndpointRules): Promise<void> {
  const refusal = await webhookUrlRefusal(url, { allowLocal: rules.allowLocal })
  if (refusal) {
    throw new AppError('validation_failed', `The endpoint URL ${refusal}.`, [
      { path: 'url', message: `The URL ${refusal}.` },
    ])
  }
}

const ofOrg = (organizationId: string, id: string) =>
  and(eq(webhookEndpoints.organizationId, organizationId), eq(webhookEndpoints.id, id))

export async function listEndpoints(
  db: DbOrTx,
  organizationId: string,
): Promise<WebhookEndpoint[]> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.organizationId, organizationId))
    .orderBy(webhookEndpoints.createdAt, webhookEndpoints.id)
  return rows.map(toEndpoint)
}

async function endpointRow(db: DbOrTx, organizationId: string, id: string): Promise<EndpointRow> {
  const [row] = await db.select().from(webhookEndpoints).where(ofOrg(organizationId, id))
  if (!row) throw notFound('Webhook endpoint')
  return row
}

export async function getEndpoint(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<WebhookEndpoint> {
  return toEndpoint(await endpointRow(db, organizationId, id))
}

/** Adds an endpoint; its secret is in the answer and never again. */
export async function createEndpoint(
  tx: DbOrTx,
  vault: Vault,
  organizationId: string,
  input: WebhookEndpointCreate,
  rules: EndpointRules,
): Promise<WebhookEndpointWithSecret> {
  await checkUrl(input.url, rules)
  const id = randomUUID()
  const secret = newSecret()
  const [row] = await tx
    .insert(webhookEndpoints)
    .values({
      organizationId,
      id,
      url: input.url,
      events: input.events,
      description: input.description ?? null,
      enabled: input.enabled ?? true,
      secret: await vault.encrypt(secret, secretContext(organizationId, id)),
    })
    .returning()
  if (!row) throw new Error('the endpoint was not inserted')
  return { ...toEndpoint(row), secret }
}

/** Changes an endpoint; turning it on again clears why Roster had turned it off. */
export async function updateEndpoint(
  tx: DbOrTx,
  organizationId: string,
  id: string,
  input: WebhookEndpointPatch,
  rules: EndpointRules,
): Promise<WebhookEndpoint> {
  await endpointRow(tx, organizationId, id)
  if (input.url !== undefined) await checkUrl(input.url, rules)
  const [row] = await tx
    .update(webhookEndpoints)
    .set({
      ...(input.url === undefined ? {} : { url: input.url }),
      ...(input.events === undefined ? {} : { events: input.events }),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.enabled === undefined ? {} : { enabled: input.enabled, disabledReason: null }),
      updatedAt: sql`now()`,
    })
    .where(ofOrg(organizationId, id))
    .returning()
  if (!row) throw notFound('Webhook endpoint')
  return toEndpoint(row)
}

/** A new secret replaces the old one at once; it is in the answer and never again. */
export async function rotateSecret(
  tx: DbOrTx,
  vault: Vault,
  organizationId: string,
  id: string,
): Promise<WebhookEndpointWithSecret> {
  await endpointRow(tx, organizationId, id)
  const secret = newSecret()
  const [row] = await tx
    .update(webhookEndpoints)
    .set({
      secret: await vault.encrypt(secret, secretContext(organizationId, id)),
      updatedAt: sql`now()`,
    })
    .where(ofOrg(organizationId, id))
    .returning()
  if (!row) throw notFound('Webhook endpoint')
  return { ...toEndpoint(row), secret }
}

/** Removes an endpoint with its delivery log. */
export async function deleteEndpoint(
  tx: DbOrTx,
  organizationId: string,
  id: string,
): Promise<void> {
  const rows = await tx
    .delete(webhookEndpoints)
    .where(ofOrg(organizationId, id))
    .returning({ id: webhookEndpoints.id })
  if (rows.length === 0) throw notFound('Webhook endpoint')
}

type DeliveryRow = typeof webhookDeliveries.$inferSelect

const toDelivery = (row: DeliveryRow, type: string): WebhookDelivery => ({
  id: row.id,
  eventId: row.eventId,
  eventType: type as WebhookEventType,
  status: row.status,
  attempts: row.attempts,
  responseStatus: row.responseStatus,
  durationMs: row.durationMs,
  error: row.error,
  nextAttemptAt: row.status === 'pending' ? row.dueAt.toISOString() : null,
  lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
  deliveredAt: row.deliveredAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
  replayOf: row.replayOf,
})

const createdAtText = sql<string>`to_char(${webhookDeliveries.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** An endpoint's deliveries, newest first. */
export async function listDeliveries(
  db: DbOrTx,
  organizationId: string,
  endpointId: string,
  query: WebhookDeliveryListQuery,
): Promise<WebhookDeliveryList> {
  await endpointRow(db, organizationId, endpointId)
  const conditions = [
    eq(webhookDeliveries.organizationId, organizationId),
    eq(webhookDeliveries.endpointId, endpointId),
  ]
  if (query.status) conditions.push(eq(webhookDeliveries.status, query.status))
  if (query.cursor) {
    const [createdAt, id] = decodeCursor(query.cursor, (at) => !Number.isNaN(Date.parse(at)))
    conditions.push(
      sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (${createdAt}::timestamptz, ${id}::uuid)`,
    )
  }
  const rows = await db
    .select({ delivery: webhookDeliveries, type: webhookOutbox.type, cursorAt: createdAtText })
    .from(webhookDeliveries)
    .innerJoin(
      webhookOutbox,
      and(
        eq(webhookOutbox.organizationId, webhookDeliveries.organizationId),
        eq(webhookOutbox.id, webhookDeliveries.eventId),
      ),
    )
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  return {
    data: page.map((row) => toDelivery(row.delivery, row.type)),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor(last.cursorAt, last.delivery.id) : null,
  }
}

/**
 * Sends a delivery's event to its endpoint again, as a new delivery with the same `webhook-id`
 * (a receiver that already took it may ignore it). Works on a disabled endpoint's log too; the
 * replay goes out once the endpoint is on.
 */
export async function replayDelivery(
  tx: DbOrTx,
  organizationId: string,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  await endpointRow(tx, organizationId, endpointId)
  const [original] = await tx
    .select({ delivery: webhookDeliveries, type: webhookOutbox.type })
    .from(webhookDeliveries)
    .innerJoin(
      webhookOutbox,
      and(
        eq(webhookOutbox.organizationId, webhookDeliveries.organizationId),
        eq(webhookOutbox.id, webhookDeliveries.eventId),
      ),
    )
    .where(
      and(
        eq(webhookDeliveries.organizationId, organizationId),
        eq(webhookDeliveries.endpointId, endpointId),
        eq(webhookDeliveries.id, deliveryId),
      ),
    )
  if (!original) throw notFound('Delivery')
  const [row] = await tx
    .insert(webhookDeliveries)
    .values({
      organizationId,
      endpointId,
      eventId: original.delivery.eventId,
      replayOf: original.delivery.id,
    })
    .returning()
  if (!row) throw new Error('the replay was not inserted')
  return toDelivery(row, original.type)
}

/** Every attempt of a delivery, first first. */
export async function deliveryAttempts(db: DbOrTx, organizationId: string, deliveryId: string) {
  return db
    .select()
    .from(webhookAttempts)
    .where(
      and(
        eq(webhookAttempts.organizationId, organizationId),
        eq(webhookAttempts.deliveryId, deliveryId),
      ),
    )
    .orderBy(webhookAttempts.attempt)
}

/**
 * Writes an event that is not a change to a customer or contact (an import or a sync run ended)
 * to the outbox, one delivery per enabled endpoint that takes it, in the caller's transaction.
 */
export async function emitWebhookEvent(
  tx: DbOrTx,
  organizationId: string,
  type: WebhookEventType,
  data: Record<string, unknown>,
): Promise<void> {
  await tx.execute(sql`
    with endpoints as (
      select id from webhook_endpoints
      where organization_id = ${organizationId} and enabled and ${type} = any (events)
    ), event as (
      insert into webhook_outbox (organization_id, type, data)
      select ${organizationId}, ${type}, ${JSON.stringify(data)}::jsonb
      where exists (select 1 from endpoints)
      returning id
    )
    insert into webhook_deliveries (organization_id, endpoint_id, event_id)
    select ${organizationId}, endpoints.id, event.id from endpoints, event`)
}
