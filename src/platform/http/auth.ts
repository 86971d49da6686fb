import type { FastifyReply, FastifyRequest } from 'fastify'
import type { MemberRole } from '../../contracts/organizations.ts'
import type { Scope } from '../auth/scope.ts'
import { AppError } from '../errors.ts'

export const SESSION_COOKIE = 'roster_session'

declare module 'fastify' {
  interface FastifyRequest {
    scope?: Scope
    /** The credential the request came with (`Credential.id`). */
    credential?: string
  }
}

/** Who a request acts as, and by which credential: `api_key:<id>` or `session:<id>`. */
export interface Credential {
  scope: Scope
  /** What the API's limits and idempotency keys are counted by. */
  id: string
}

/** How a request's credentials are looked up: given by the module that keeps them. */
export interface CredentialResolver {
  /** The credential of an API key sent as `Authorization: Bearer <key>`, or undefined. */
  apiKey(key: string): Promise<Credential | undefined>
  /** The credential of a session cookie's token, or undefined. */
  session(token: string): Promise<Credential | undefined>
}

const unauthenticated = (): AppError =>
  new AppError('unauthenticated', 'Sign in, or send an API key as "Authorization: Bearer <key>".')

/** Resolves the organisation and actor of a request from its API key or session cookie. */
export async function authenticate(
  credentials: CredentialResolver,
  request: FastifyRequest,
): Promise<Credential> {
  const header = request.headers.authorization
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    const credential = match?.[1] ? await credentials.apiKey(match[1]) : undefined
    if (!credential) throw unauthenticated()
    return credential
  }
  const token = request.cookies[SESSION_COOKIE]
  const credential = token ? await credentials.session(token) : undefined
  if (!credential) throw unauthenticated()
  return credential
}

/** The request's scope; routes behind the auth hook always have one. */
export function scopeOf(request: FastifyRequest): Scope {
  if (!request.scope) throw unauthenticated()
  return request.scope
}

/**
 * The signed-in member of a request: an API key acts for the organisation, not as a member, so
 * what belongs to a member (notifications, profile) refuses it.
 */
export function signedInMember(request: FastifyRequest): {
  organizationId: string
  memberId: string
} {
  const { organizationId, actor } = scopeOf(request)
  if (actor.kind !== 'member' || !actor.id) {
    throw new AppError(
      'forbidden',
      'Notifications and profiles belong to a member, and an API key is not one: sign in as the member instead.',
    )
  }
  return { organizationId, memberId: actor.id }
}

export function requireRole(request: FastifyRequest, ...roles: MemberRole[]): Scope {
  const scope = scopeOf(request)
  if (!roles.includes(scope.actor.role)) {
    throw new AppError('forbidden', `Only ${roles.join(' or ')} members can do this.`)
  }
  return scope
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' })
}
