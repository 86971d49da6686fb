import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams } from '../../contracts/common.ts'
import {
  invitation,
  invitationCreate,
  managedCustomers,
  member,
  memberPatch,
  memberRemoved,
  session,
  sessionOrganizations,
  sessionSwitch,
} from '../../contracts/organizations.ts'
import type { Db } from '../../platform/db/client.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { requireRole, scopeOf, SESSION_COOKIE } from '../../platform/http/auth.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { withoutAccountManager } from '../customers/customers.service.ts'
import { sessionBody, setSessionCookie } from './accounts.routes.ts'
import {
  invite,
  listInvitations,
  resendInvitation,
  revokeInvitation,
} from './invitations.service.ts'
import { changeRole, customersManagedBy, getMember, removeMember } from './members.service.ts'
import { organizationsOf, resolveSession, switchOrganization } from './sessions.service.ts'

const tags = ['Organisation']

/** Members' roles and removal, invitations, and the organisations a member switches between. */
export const memberRoutes: FastifyPluginCallbackZod<{ db: Db; queue: Queue }> = (
  app,
  { db, queue },
  done,
) => {
  app.get(
    '/members/:id',
    {
      schema: {
        tags,
        summary: 'A member',
        params: idParams,
        response: { 200: member, ...errorResponses },
      },
    },
    async (request) => {
      const found = await getMember(db, scopeOf(request).organizationId, request.params.id)
      if (!found) throw notFound('Member')
      return found
    },
  )

  app.get(
    '/members/:id/customers',
    {
      schema: {
        tags,
        summary: 'The customers a member is account manager of',
        params: idParams,
        response: { 200: managedCustomers, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      if (!(await getMember(db, organizationId, request.params.id))) throw notFound('Member')
      return { data: await customersManagedBy(db, organizationId, request.params.id) }
    },
  )

  app.patch(
    '/members/:id',
    {
      schema: {
        tags,
        summary: "Change a member's role (admins)",
        description: 'The organisation keeps at least one admin: demoting the last one is a 409.',
        params: idParams,
        body: memberPatch,
        response: { 200: member, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = requireRole(request, 'admin')
      return db.transaction((tx) =>
        changeRole(tx, organizationId, request.params.id, request.body.role),
      )
    },
  )

  app.delete(
    '/members/:id',
    {
      schema: {
        tags,
        summary: 'Remove a member (admins)',
        description:
          'Their sessions end and the API keys they created are revoked at once. They are taken off the customers they managed (each on its history), which the answer lists to reassign. Removing the last admin is a 409.',
        params: idParams,
        response: { 200: memberRemoved, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return db.transaction(async (tx) => {
        const customers = await withoutAccountManager(tx, scope, request.params.id)
        const removed = await removeMember(tx, scope.organizationId, request.params.id)
        return { ...removed, customers }
      })
    },
  )

  app.get(
    '/invitations',
    {
      schema: {
        tags,
        summary: 'The invitations not yet accepted (admins)',
        response: { 200: z.object({ data: z.array(invitation) }), ...errorResponses },
      },
    },
    async (request) => ({
      data: await listInvitations(db, requireRole(request, 'admin').organizationId),
    }),
  )

  app.post(
    '/invitations',
    {
      schema: {
        tags,
        summary: 'Invite someone by email (admins)',
        description: `Emails them a link to choose a password, which works for 7 days, once. An email that is already a member, or already invited, is a 409.`,
        body: invitationCreate,
        response: { 201: invitation, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      const created = await db.transaction((tx) => invite(tx, queue, scope, request.body))
      return reply.code(201).send(created)
    },
  )

  app.post(
    '/invitations/:id/resend',
    {
      schema: {
        tags,
        summary: 'Send an invitation again, with a new link (admins)',
        description: 'The link of the earlier email stops working.',
        params: idParams,
        response: { 200: invitation, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = requireRole(request, 'admin')
      return db.transaction((tx) => resendInvitation(tx, queue, organizationId, request.params.id))
    },
  )

  app.delete(
    '/invitations/:id',
    {
      schema: {
        tags,
        summary: 'Withdraw an invitation (admins); its link stops working',
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { organizationId } = requireRole(request, 'admin')
      await revokeInvitation(db, organizationId, request.params.id)
      return reply.code(204).send(null)
    },
  )

  /** The signed-in member's session: an API key belongs to one organisation and has none. */
  const currentSession = async (request: Parameters<typeof scopeOf>[0]) => {
    const { actor } = scopeOf(request)
    const token = request.cookies[SESSION_COOKIE]
    const current = actor.kind === 'member' && token ? await resolveSession(db, token) : undefined
    if (!current) {
      throw new AppError(
        'forbidden',
        'An API key belongs to one organisation: only a signed-in member switches organisations.',
      )
    }
    return current
  }

  app.get(
    '/session/organizations',
    {
      schema: {
        tags,
        summary: "The organisations the signed-in member's email belongs to",
        description:
          'Every one once they have proven they read their email (accepted an invitation or reset their password by link); only the current one before that.',
        response: { 200: sessionOrganizations, ...errorResponses },
      },
    },
    async (request) => {
      const orgs = await organizationsOf(db, await currentSession(request))
      return { data: orgs.map(({ memberId: _, ...org }) => org) }
    },
  )

  app.post(
    '/session/organization',
    {
      schema: {
        tags,
        summary: 'Switch the session to another of your organisations',
        description: 'An organisation you are not a member of is a 404.',
        body: sessionSwitch,
        response: { 200: session, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await currentSession(request)
      const started = await db.transaction((tx) =>
        switchOrganization(tx, current, request.body.organization),
      )
      setSessionCookie(request, reply, started)
      return sessionBody(db, started)
    },
  )
  done()
}
