import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Db } from '../../platform/db/client.ts'
import { AppError } from '../../platform/errors.ts'
import type { MemberRole } from '../../contracts/organizations.ts'
import type { Scope } from './actor.ts'
import { authenticateApiKey } from './api-keys.service.ts'
import { resolveSession } from './sessions.service.ts'

export const SESSION_COOKIE = 'roster_session'

declare module 'fastify' {
  interface FastifyRequest {
    scope?: Scope
  }
}

const unauthenticated = (): AppError =>
  new AppError('unauthenticated', 'Sign in, or send an API key as "Authorization: Bearer <key>".')

/** Resolves the organisation and actor of a request from its API key or session cookie. */
export async function authenticate(db: Db, request: FastifyRequest): Promise<Scope> {
  const header = request.headers.authorization
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    const key = match?.[1] ? await authenticateApiKey(db, match[1]) : undefined
    if (!key) throw unauthenticated()
    return {
      organizationId: key.organizationId,
      actor: { kind: 'api_key', id: key.id, label: `API key ${key.name}`, role: 'admin' },
    }
  }
  const token = request.cookies[SESSION_COOKIE]
  const member = token ? await resolveSession(db, token) : undefined
  if (!member) throw unauthenticated()
  return {
    organizationId: member.organizationId,
    actor: { kind: 'member', id: member.id, label: member.email, role: member.role },
  }
}

/** The request's scope; routes behind the auth hook always have one. */
export function scopeOf(request: FastifyRequest): Scope {
  if (!request.scope) throw unauthenticated()
  return request.scope
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
