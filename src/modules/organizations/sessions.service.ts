import { and, asc, eq, gt, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../platform/db/client.ts'
import { members, organizations, sessions } from '../../platform/db/schema/index.ts'
import { hashToken, newToken, verifyPassword } from '../../platform/auth/secrets.ts'
import { AppError } from '../../platform/errors.ts'
import { assertNotLocked, clearFailures, recordFailure, throttleKeys } from './sign-in-throttle.ts'

export const SESSION_DAYS = 14
const wrongCredentials = (): AppError => new AppError('unauthenticated', 'Wrong email or password.')

/**
 * A well-formed hash no password matches: an email without an account is checked against it, so
 * that it takes as long to refuse as a wrong password and the answer's time does not tell which
 * emails have accounts.
 */
const DECOY_HASH = `scrypt$16384$8$1$${'A'.repeat(22)}$${'A'.repeat(43)}`

/**
 * Signs a member in, counting failures against the account and the client's address: a locked
 * one is refused (429) before any password is checked.
 */
export async function signInFrom(
  db: DbOrTx,
  input: { email: string; password: string; organization?: string | undefined },
  address: string,
): ReturnType<typeof signIn> {
  const keys = throttleKeys(input.email, address)
  await assertNotLocked(db, keys)
  try {
    const result = await signIn(db, input)
    await clearFailures(db, keys)
    return result
  } catch (error) {
    if (error instanceof AppError && error.code === 'unauthenticated') await recordFailure(db, keys)
    throw error
  }
}

/**
 * Signs a member in by email and password. An email can belong to members of several
 * organisations: then the organisation (slug) must be given.
 */
export async function signIn(
  db: DbOrTx,
  input: { email: string; password: string; organization?: string | undefined },
): Promise<{ token: string; organizationId: string; memberId: string; expiresAt: Date }> {
  const candidates = await db
    .select({ member: members, slug: organizations.slug })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.organizationId))
    .where(
      and(
        eq(sql`lower(${members.email})`, input.email.toLowerCase()),
        input.organization ? eq(organizations.slug, input.organization) : undefined,
      ),
    )
  const matching = []
  let checked = 0
  for (const candidate of candidates) {
    const hash = candidate.member.passwordHash
    if (!hash) continue
    checked++
    if (await verifyPassword(input.password, hash)) matching.push(candidate)
  }
  if (checked === 0) await verifyPassword(input.password, DECOY_HASH)
  const [chosen, ...others] = matching
  if (!chosen) throw wrongCredentials()
  if (others.length > 0) {
    throw new AppError(
      'validation_failed',
      'This email belongs to several organisations: choose one.',
      matching.map((m) => ({ path: 'organization', message: m.slug })),
    )
  }
  return startSession(db, chosen.member)
}

export interface StartedSession {
  token: string
  organizationId: string
  memberId: string
  expiresAt: Date
}

/** Opens a session for a member who proved who they are (a password, a link from an email). */
export async function startSession(
  db: DbOrTx,
  member: { organizationId: string; id: string },
): Promise<StartedSession> {
  const token = newToken('rss')
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 24 * 3600 * 1000)
  await db.insert(sessions).values({
    organizationId: member.organizationId,
    memberId: member.id,
    tokenHash: hashToken(token),
    expiresAt,
  })
  return { token, organizationId: member.organizationId, memberId: member.id, expiresAt }
}

type MemberRow = typeof members.$inferSelect

/**
 * The organisations a signed-in member may switch to: those their email belongs to, once they
 * proved they read that email (an invitation or a password reset by link). Before that, only
 * their own: an admin who typed someone's email and a first password must not reach the other
 * organisations that email belongs to.
 */
export async function organizationsOf(
  db: DbOrTx,
  current: MemberRow,
): Promise<{ id: string; name: string; slug: string; memberId: string; current: boolean }[]> {
  const rows = await db
    .select({
      id: organizations.id,
      name: organizations.name,
      slug: organizations.slug,
      memberId: members.id,
    })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.organizationId))
    .where(
      current.emailVerifiedAt
        ? eq(sql`lower(${members.email})`, current.email.toLowerCase())
        : and(eq(members.organizationId, current.organizationId), eq(members.id, current.id)),
    )
    .orderBy(asc(organizations.name), asc(organizations.slug))
  return rows.map((row) => ({ ...row, current: row.id === current.organizationId }))
}

/**
 * Moves a signed-in member's session to another organisation their email belongs to (by id or
 * slug): a new session there, this one ended. Any other organisation is not found, as if it did
 * not exist.
 */
export async function switchOrganization(
  db: DbOrTx,
  current: MemberRow & { sessionId: string },
  organization: string,
): Promise<StartedSession> {
  const target = (await organizationsOf(db, current)).find(
    (org) => org.id === organization || org.slug === organization,
  )
  if (!target) {
    throw new AppError(
      'not_found',
      `You are not a member of the organisation "${organization}": ask one of its admins for an invitation.`,
      [{ path: 'organization', message: 'Not one of your organisations.' }],
    )
  }
  await db
    .delete(sessions)
    .where(
      and(eq(sessions.organizationId, current.organizationId), eq(sessions.id, current.sessionId)),
    )
  return startSession(db, { organizationId: target.id, id: target.memberId })
}

export async function resolveSession(
  db: DbOrTx,
  token: string,
): Promise<(typeof members.$inferSelect & { sessionId: string }) | undefined> {
  const [row] = await db
    .select({ member: members, sessionId: sessions.id })
    .from(sessions)
    .innerJoin(
      members,
      and(eq(members.organizationId, sessions.organizationId), eq(members.id, sessions.memberId)),
    )
    .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, new Date())))
  return row && { ...row.member, sessionId: row.sessionId }
}

export async function signOut(db: DbOrTx, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)))
}
