import { eq } from 'drizzle-orm'
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorEnvelope } from '../../contracts/common.ts'
import { webhookAnswer, webhookParams } from '../../contracts/sources.ts'
import type { Vault } from '../../platform/auth/encryption.ts'
import type { Db } from '../../platform/db/client.ts'
import { connections } from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { openCredentials } from './connections.service.ts'
import type { Connectors } from './connectors/index.ts'
import { SourceError, type WebhookVerdict } from './connectors/types.ts'
import { requestRun } from './sync/runs.service.ts'

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
          "Verified with the connection's webhook secret (Stripe signature, Chargebee Basic credentials…); unverified calls get 401 and change nothing. Answers 202 with `queued` (an incremental run) or `ignored` (a paused connection, one that needs reconnecting, or a probe reporting no change); systems that accept nothing else (Xero) get 200 with no body.",
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
        verdict = connector.verifyWebhook({ headers: request.headers, rawBody }, settings, secrets)
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
      const run = await db.transaction((tx) =>
        requestRun(tx, queue, {
          organizationId: row.organizationId,
          connectionId: row.id,
          full: false,
          trigger: 'webhook',
        }),
      )
      return send({ status: 'queued', reason: null, runId: run.id })
    },
  )
  done()
}
