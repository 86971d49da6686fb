import { and, eq, lt, sql } from 'drizzle-orm'
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorEnvelope } from '../../contracts/common.ts'
import { webhookAnswer, webhookParams } from '../../contracts/sources.ts'
import type { Vault } from '../../platform/auth/encryption.ts'
import type { Db, Tx } from '../../platform/db/client.ts'
import { connections, webhookEvents } from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { openCredentials } from './connections.service.ts'
import type { Connectors } from './connectors/index.ts'
import { SourceError, type WebhookVerdict } from './connectors/types.ts'
import { requestRun } from './sync/runs.service.ts'

/** How long a connection remembers an event id: longer than any system's retries of a call. */
const rememberedFor = '24 hours'

/**
 * Records the event as received by the connection; false when it already was, lately. Events
 * it no longer needs to remember are dropped on the way.
 */
async function firstReceipt(
  tx: Tx,
  row: { organizationId: string; id: string },
  eventId: string,
): Promise<boolean> {
  const scope = and(
    eq(webhookEvents.organizationId, row.organizationId),
    eq(webhookEvents.connectionId, row.id),
  )
  await tx.delete(webhookEvents).where(and(scope, lt(webhookEvents.expiresAt, sql`now()`)))
  const inserted = await tx
    .insert(webhookEvents)
    .values({
      organizationId: row.organizationId,
      connectionId: row.id,
      eventId,
      expiresAt: sql`now() + ${rememberedFor}::interval`,
    })
    .onConflictDoNothing()
    .returning({ eventId: webhookEvents.eventId })
  return inserted.length > 0
}

const unverified = (): AppError =>
  new AppError('unauthenticated', 'This webhook could not be verified; nothing was done.')

/**
 * `POST /webhooks/{system}/{connectionId}`: a system tells Roster something changed. No API key:
 * the call is verified the way the system signs it (on the raw body), then triggers an
 * incremental run of the connection (joining one already waiting). A paused connection accepts
 * the call and ignores it, so the system does not retry or disable the webhook.
 */
export interface WebhookRoutesDeps {
  db: Db
  queue: Queue
  vault: Vault
  connectors: Connectors
}

export const webhookRoutes: FastifyPluginCallbackZod<WebhookRoutesDeps> = (
  app,
  { db, queue, vault, connectors },
  done,
) => {
  // Signatures are computed over the exact bytes sent: keep them.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, next) => {
    next(null, body)
  })

  app.post(
    '/webhooks/:system/:connectionId',
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Receive a webhook from a connected system',
        description:
          "Verified with the connection's webhook secret (Stripe signature, Chargebee Basic credentials…); unverified calls get 401 and change nothing. A call dated in the future (beyond a minute) is refused. Answers 202 with `queued` (an incremental run) or `ignored` (a paused connection, one that needs reconnecting, a probe reporting no change, or an event the connection already received in the last 24 hours: a replay or a retry); systems that accept nothing else (Xero) get 200 with no body.",
        security: [],
        params: webhookParams,
        response: {
          200: z.undefined(),
          202: webhookAnswer,
          401: errorEnvelope,
          404: errorEnvelope,
        },
      },
    },
    async (request, reply) => {
      const { system, connectionId } = request.params
      if (!z.uuid().safeParse(connectionId).success) throw notFound('Connection')
      const [row] = await db.select().from(connections).where(eq(connections.id, connectionId))
      if (row?.system !== system) throw notFound('Connection')
      let verdict: WebhookVerdict | undefined
      let reply200 = false
      try {
        const { connector, settings, secrets } = await openCredentials({ vault, connectors }, row)
        reply200 = connector.webhookReply === 'empty-200'
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
        if (!connector.verifyWebhook) {
          throw new SourceError('unverified', `${connector.descriptor.label} sends no webhooks`)
        }
        verdict = await connector.verifyWebhook(
          { headers: request.headers, rawBody },
          settings,
          secrets,
        )
      } catch (error) {
        request.log.warn({ connectionId, err: (error as Error).message }, 'webhook refused')
        throw unverified()
      }
      // Systems that take nothing but an empty 200 (Xero) get it, whatever was done.
      const send = (answer: z.infer<typeof webhookAnswer>) =>
        reply200 ? reply.code(200).send() : reply.code(202).send(answer)
      if (verdict?.changes === false) {
        return send({ status: 'ignored', reason: 'The call reports no change.', runId: null })
      }
      if (row.status !== 'active') {
        return send({
          status: 'ignored',
          reason:
            row.status === 'paused'
              ? 'The connection is paused.'
              : 'The connection needs to be reconnected.',
          runId: null,
        })
      }
      const eventId = verdict?.eventId
      // The event is recorded with the run it queues: a call that fails is not remembered.
      const run = await db.transaction(async (tx) => {
        if (eventId !== undefined && !(await firstReceipt(tx, row, eventId))) return null
        return requestRun(tx, queue, {
          organizationId: row.organizationId,
          connectionId: row.id,
          full: false,
          trigger: 'webhook',
        })
      })
      if (!run) {
        return send({ status: 'ignored', reason: 'This event was already received.', runId: null })
      }
      return send({ status: 'queued', reason: null, runId: run.id })
    },
  )
  done()
}
