import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams } from '../../contracts/common.ts'
import { sourceSystems } from '../../contracts/customers.ts'
import {
  connection,
  consentCallbackQuery,
  consentChoice,
  consentRedirect,
  consentStart,
  tenantPick,
} from '../../contracts/sources.ts'
import type { Vault } from '../../platform/auth/encryption.ts'
import type { Db } from '../../platform/db/client.ts'
import { requireRole, scopeOf } from '../../platform/http/auth.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { getConnection } from './connections.queries.ts'
import type { Connectors } from './connectors/index.ts'
import {
  consentChoice as readChoice,
  pickTenant,
  receiveCallback,
  startConsent,
} from './consent.service.ts'

const tags = ['Connections']

export interface ConsentRoutesDeps {
  db: Db
  queue: Queue
  vault: Vault
  publicUrl: string
  connectors: Connectors
  /** Whether an admin may give a base URL (ROSTER_ALLOW_BASE_URL). */
  allowBaseUrl: boolean
}

/** Connecting by consent, from the web app (admins): start, then pick a tenant when asked. */
export const consentRoutes: FastifyPluginCallbackZod<ConsentRoutesDeps> = (
  app,
  { db, queue, vault, publicUrl, connectors, allowBaseUrl },
  done,
) => {
  app.post(
    '/connections/consent',
    {
      schema: {
        tags,
        summary: 'Connect a system by consent (admins): answers its consent page to open',
        description:
          'For systems connected by OAuth2 consent (Xero…): `secrets` holds the client id and secret of your app at the system, e.g. `{"system":"xero","secrets":{"clientId":"…","clientSecret":"…"}}`. Open `authorizeUrl` in the browser: once access is allowed, the system sends the admin back to Roster, which creates the connection (or, with `connectionId`, reconnects that one). The consent expires after 10 minutes and is good for one use.',
        body: consentStart,
        response: { 200: consentRedirect, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return startConsent(db, { vault, connectors }, scope, request.body, publicUrl, {
        allowBaseUrl,
      })
    },
  )

  app.get(
    '/connections/consent/:id/tenants',
    {
      schema: {
        tags,
        summary: 'The organisations a consent reaches, when the admin must pick one (admins)',
        params: idParams,
        response: { 200: consentChoice, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return readChoice(db, scope.organizationId, request.params.id)
    },
  )

  app.post(
    '/connections/consent/:id/tenant',
    {
      schema: {
        tags,
        summary: 'Pick the organisation to sync from, creating the connection (admins)',
        params: idParams,
        body: tenantPick,
        response: { 201: connection, ...errorResponses, 502: errorResponses[409] },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      const id = await pickTenant(
        db,
        queue,
        { vault, connectors },
        scope,
        request.params.id,
        request.body.tenantId,
      )
      const shown = await getConnection(db, scopeOf(request).organizationId, id, publicUrl)
      return reply.code(201).send(shown)
    },
  )
  done()
}

/**
 * `GET /oauth/callback/{system}`: where a system sends the admin back after its consent page.
 * No API key or session: the consent its state names says who asked. Always redirects to the
 * web app's Integrations page, saying what happened.
 */
export const oauthCallbackRoutes: FastifyPluginCallbackZod<ConsentRoutesDeps> = (
  app,
  { db, queue, vault, publicUrl, connectors },
  done,
) => {
  app.get(
    '/oauth/callback/:system',
    {
      schema: {
        tags,
        summary: "A system's answer to its consent page (OAuth2 redirect URI)",
        // The system's consent page sends the browser here: no client calls it.
        hide: true,
        security: [],
        params: z.strictObject({ system: z.enum(sourceSystems) }),
        querystring: consentCallbackQuery,
        response: { 303: z.null() },
      },
    },
    async (request, reply) => {
      const target = await receiveCallback(
        db,
        queue,
        { vault, connectors },
        request.params.system,
        request.query,
        publicUrl,
      )
      return reply.code(303).header('location', target).send(null)
    },
  )
  done()
}
