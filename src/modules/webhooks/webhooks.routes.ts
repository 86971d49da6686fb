import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams } from '../../contracts/common.ts'
import {
  webhookDelivery,
  webhookDeliveryList,
  webhookDeliveryListQuery,
  webhookDeliveryParams,
  webhookEndpoint,
  webhookEndpointCreate,
  webhookEndpointPatch,
  webhookEndpointWithSecret,
  webhookEventTypes,
} from '../../contracts/webhooks.ts'
import type { Vault } from '../../platform/auth/encryption.ts'
import type { Db } from '../../platform/db/client.ts'
import { requireRole } from '../../platform/http/auth.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  replayDelivery,
  rotateSecret,
  updateEndpoint,
} from './webhooks.service.ts'

const tags = ['Webhook endpoints']

const signing =
  'Each delivery is a POST of `{"type","timestamp","data"}` signed per Standard Webhooks: `webhook-id` (the same for every attempt and replay of one event), `webhook-timestamp` and `webhook-signature` (`v1,` HMAC-SHA256 with the endpoint\'s `whsec_` secret).'

export const webhookEndpointRoutes: FastifyPluginCallbackZod<{
  db: Db
  vault: Vault
  webhookAllowLocal: boolean
}> = (app, { db, vault, webhookAllowLocal }, done) => {
  const rules = { allowLocal: webhookAllowLocal }

  app.get(
    '/webhook-endpoints',
    {
      schema: {
        tags,
        summary: 'List the outbound webhook endpoints (admins)',
        response: { 200: z.object({ data: z.array(webhookEndpoint) }), ...errorResponses },
      },
    },
    async (request) => ({
      data: await listEndpoints(db, requireRole(request, 'admin').organizationId),
    }),
  )

  app.post(
    '/webhook-endpoints',
    {
      schema: {
        tags,
        summary: 'Add an outbound webhook endpoint (admins)',
        description: `Events: ${webhookEventTypes.join(', ')}. The URL must be https:// and reach a public address. The answer holds the signing secret, shown this once. ${signing}`,
        body: webhookEndpointCreate,
        response: { 201: webhookEndpointWithSecret, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      const created = await db.transaction((tx) =>
        createEndpoint(tx, vault, scope.organizationId, request.body, rules),
      )
      return reply.code(201).send(created)
    },
  )

  app.get(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Get an outbound webhook endpoint (admins)',
        params: idParams,
        response: { 200: webhookEndpoint, ...errorResponses },
      },
    },
    async (request) =>
      getEndpoint(db, requireRole(request, 'admin').organizationId, request.params.id),
  )

  app.patch(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Change an outbound webhook endpoint, turn it off or on (admins)',
        description:
          'Turning an endpoint on again (`{"enabled":true}`) sends what waited while it was off.',
        params: idParams,
        body: webhookEndpointPatch,
        response: { 200: webhookEndpoint, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return db.transaction((tx) =>
        updateEndpoint(tx, scope.organizationId, request.params.id, request.body, rules),
      )
    },
  )

  app.delete(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Remove an outbound webhook endpoint and its delivery log (admins)',
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      await db.transaction((tx) => deleteEndpoint(tx, scope.organizationId, request.params.id))
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/webhook-endpoints/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Give an endpoint a new signing secret (admins)',
        description: 'The old secret stops signing at once; the new one is shown this once.',
        params: idParams,
        response: { 200: webhookEndpointWithSecret, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return db.transaction((tx) =>
        rotateSecret(tx, vault, scope.organizationId, request.params.id),
      )
    },
  )

  app.get(
    '/webhook-endpoints/:id/deliveries',
    {
      schema: {
        tags,
        summary: "An endpoint's delivery log, newest first (admins)",
        description:
          "Each delivery: its event, status (`pending`, `sending`, `delivered`, `failed`), attempts, and the last attempt's answer, duration and error.",
        params: idParams,
        querystring: webhookDeliveryListQuery,
        response: { 200: webhookDeliveryList, ...errorResponses },
      },
    },
    async (request) =>
      listDeliveries(
        db,
        requireRole(request, 'admin').organizationId,
        request.params.id,
        request.query,
      ),
  )

  app.post(
    '/webhook-endpoints/:id/deliveries/:deliveryId/replay',
    {
      schema: {
        tags,
        summary: 'Send a delivery again (admins)',
        description:
          'A new delivery of the same event, with the same `webhook-id`: a receiver that de-duplicates by it ignores it.',
        params: webhookDeliveryParams,
        response: { 201: webhookDelivery, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      const replay = await db.transaction((tx) =>
        replayDelivery(tx, scope.organizationId, request.params.id, request.params.deliveryId),
      )
      return reply.code(201).send(replay)
    },
  )
  done()
}
