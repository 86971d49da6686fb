import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams } from '../../contracts/common.ts'
import {
  apiKey,
  apiKeyCreate,
  apiKeyCreated,
  member,
  memberCreate,
  session,
  sessionCreate,
} from '../../contracts/organizations.ts'
import type { Db } from '../../platform/db/client.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.ts'
import {
  clearSessionCookie,
  requireRole,
  scopeOf,
  SESSION_COOKIE,
} from '../../platform/http/auth.ts'
import { addMember, getMember, listMembers, toMember } from './members.service.ts'
import { getOrganization } from './organizations.service.ts'
import { SESSION_DAYS, signInFrom, signOut, resolveSession } from './sessions.service.ts'

const tags = ['Organisation']

/** Sign-in: the only routes that take no credentials. */
export const sessionRoutes: FastifyPluginCallbackZod<{ db: Db }> = (app, { db }, done) => {
  app.post(
    '/session',
    {
      schema: {
        tags,
        summary: 'Sign in with email and password (sets the session cookie)',
        body: sessionCreate,
        response: { 200: session, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await signInFrom(db, request.body, request.ip)
      reply.setCookie(SESSION_COOKIE, result.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: request.protocol === 'https',
        maxAge: SESSION_DAYS * 24 * 3600,
      })
      const organization = await getOrganization(db, result.organizationId)
      const signedIn = await resolveSession(db, result.token)
      return {
        organization: { id: organization.id, name: organization.name, slug: organization.slug },
        member: signedIn ? toMember(signedIn) : null,
      }
    },
  )
  done()
}

export const organizationRoutes: FastifyPluginCallbackZod<{ db: Db }> = (app, { db }, done) => {
  app.get(
    '/session',
    {
      schema: {
        tags,
        summary: 'The signed-in member (or API key) and its organisation',
        response: { 200: session, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request)
      const organization = await getOrganization(db, scope.organizationId)
      const signedIn =
        scope.actor.kind === 'member' && scope.actor.id
          ? await getMember(db, scope.organizationId, scope.actor.id)
          : undefined
      return {
        organization: { id: organization.id, name: organization.name, slug: organization.slug },
        member: signedIn ?? null,
      }
    },
  )

  app.delete(
    '/session',
    { schema: { tags, summary: 'Sign out', response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE]
      if (token) await signOut(db, token)
      clearSessionCookie(reply)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/members',
    {
      schema: {
        tags,
        summary: 'List the members',
        response: { 200: z.object({ data: z.array(member) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listMembers(db, scopeOf(request).organizationId) }),
  )

  app.post(
    '/members',
    {
      schema: {
        tags,
        summary: 'Add a member (admins)',
        body: memberCreate,
        response: { 201: member, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      return reply.code(201).send(await addMember(db, scope.organizationId, request.body))
    },
  )

  app.get(
    '/api-keys',
    {
      schema: {
        tags,
        summary: 'List the API keys (admins)',
        response: { 200: z.object({ data: z.array(apiKey) }), ...errorResponses },
      },
    },
    async (request) => ({
      data: await listApiKeys(db, requireRole(request, 'admin').organizationId),
    }),
  )

  app.post(
    '/api-keys',
    {
      schema: {
        tags,
        summary: 'Create an API key (admins); the key is shown only in this response',
        body: apiKeyCreate,
        response: { 201: apiKeyCreated, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      const created = await createApiKey(db, scope.organizationId, {
        name: request.body.name,
        createdByMemberId: scope.actor.kind === 'member' ? scope.actor.id : null,
      })
      return reply.code(201).send(created)
    },
  )

  app.delete(
    '/api-keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key (admins)',
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await revokeApiKey(db, requireRole(request, 'admin').organizationId, request.params.id)
      return reply.code(204).send(null)
    },
  )
  done()
}
