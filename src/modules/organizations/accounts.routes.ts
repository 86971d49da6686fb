import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import type { z } from 'zod'
import {
  invitationAccept,
  invitationLookup,
  invitationPreview,
  passwordResetComplete,
  passwordResetRequest,
  passwordResetRequested,
  session,
  signupCreate,
  signupSettings,
} from '../../contracts/organizations.ts'
import type { Db, DbOrTx } from '../../platform/db/client.ts'
import { AppError } from '../../platform/errors.ts'
import { SESSION_COOKIE } from '../../platform/http/auth.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { acceptInvitation, previewInvitation } from './invitations.service.ts'
import { getMember } from './members.service.ts'
import { getOrganization, signUp } from './organizations.service.ts'
import {
  completePasswordReset,
  requestPasswordReset,
  resetRequested,
  throttleResetRequest,
} from './password-resets.service.ts'
import { SESSION_DAYS, startSession, type StartedSession } from './sessions.service.ts'

const tags = ['Organisation']

/** Sets the session cookie of a session just opened. */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  started: StartedSession,
): void {
  reply.setCookie(SESSION_COOKIE, started.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge: SESSION_DAYS * 24 * 3600,
  })
}

/** The answer of a route that signs someone in: their organisation and member. */
export async function sessionBody(
  db: DbOrTx,
  started: StartedSession,
): Promise<z.infer<typeof session>> {
  const organization = await getOrganization(db, started.organizationId)
  return {
    organization: { id: organization.id, name: organization.name, slug: organization.slug },
    member: (await getMember(db, started.organizationId, started.memberId)) ?? null,
  }
}

const signupClosed = (): AppError =>
  new AppError(
    'forbidden',
    'Sign-up is closed on this Roster: ask an admin of your organisation for an invitation.',
  )

/**
 * Ways in without credentials, besides signing in: an invitation's link, a password reset by
 * email and, when the operator allows it, a sign-up. Each link's token comes in the body, never
 * the URL, so that it is in no log.
 */
export const accountRoutes: FastifyPluginCallbackZod<{
  db: Db
  queue: Queue
  signupOpen: boolean
}> = (app, { db, queue, signupOpen }, done) => {
  app.post(
    '/invitations/lookup',
    {
      schema: {
        tags,
        summary: "What an invitation's link is for: the email, role and organisation",
        body: invitationLookup,
        response: { 200: invitationPreview, ...errorResponses },
      },
    },
    async (request) => previewInvitation(db, request.body.token),
  )

  app.post(
    '/invitations/accept',
    {
      schema: {
        tags,
        summary: 'Accept an invitation: choose a name and password, and sign in',
        body: invitationAccept,
        response: { 200: session, ...errorResponses },
      },
    },
    async (request, reply) => {
      const started = await db.transaction(async (tx) => {
        return startSession(tx, await acceptInvitation(tx, request.body))
      })
      setSessionCookie(request, reply, started)
      return sessionBody(db, started)
    },
  )

  app.post(
    '/password-resets',
    {
      schema: {
        tags,
        summary: 'Ask for a password reset link by email',
        description:
          'Answers the same whether or not the email has an account. At most one email a minute goes to an address; more than 5 requests for an email, or 30 from a client, in 15 minutes are refused for 15 minutes (429).',
        body: passwordResetRequest,
        response: { 202: passwordResetRequested, ...errorResponses },
      },
    },
    async (request, reply) => {
      await throttleResetRequest(db, request.body.email, request.ip)
      await db.transaction((tx) => requestPasswordReset(tx, queue, request.body.email))
      return reply.code(202).send({ message: resetRequested })
    },
  )

  app.post(
    '/password-resets/complete',
    {
      schema: {
        tags,
        summary: "Choose a new password with a reset link's token, and sign in",
        description: 'Every other session of the account ends.',
        body: passwordResetComplete,
        response: { 200: session, ...errorResponses },
      },
    },
    async (request, reply) => {
      const started = await db.transaction(async (tx) =>
        startSession(tx, await completePasswordReset(tx, request.body)),
      )
      setSessionCookie(request, reply, started)
      return sessionBody(db, started)
    },
  )

  app.get(
    '/signup',
    {
      schema: {
        tags,
        summary: 'Whether anyone may sign up here (ROSTER_SIGNUP)',
        response: { 200: signupSettings, ...errorResponses },
      },
    },
    () => ({ open: signupOpen }),
  )

  app.post(
    '/signup',
    {
      schema: {
        tags,
        summary: 'Sign up: create an organisation and become its admin (when ROSTER_SIGNUP=open)',
        body: signupCreate,
        response: { 201: session, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!signupOpen) throw signupClosed()
      const started = await db.transaction(async (tx) => {
        const { member, organization } = await signUp(tx, request.body)
        return startSession(tx, { organizationId: organization.id, id: member.id })
      })
      setSessionCookie(request, reply, started)
      return reply.code(201).send(await sessionBody(db, started))
    },
  )
  done()
}
