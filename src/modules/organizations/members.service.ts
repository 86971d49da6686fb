import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Member, MemberCreate, MemberRole } from '../../contracts/organizations.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import {
  apiKeys,
  customerAccountManagers,
  customers,
  members,
  sessions,
} from '../../platform/db/schema/index.ts'
import { hashPassword } from '../../platform/auth/secrets.ts'
import { AppError, isUniqueViolation, notFound } from '../../platform/errors.ts'

type MemberRow = typeof members.$inferSelect

export const toMember = (row: MemberRow): Member => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  createdAt: row.createdAt.toISOString(),
})

export async function addMember(
  db: DbOrTx,
  organizationId: string,
  input: MemberCreate,
  options: { emailVerified?: boolean } = {},
): Promise<Member> {
  const passwordHash = input.password ? await hashPassword(input.password) : null
  try {
    const [row] = await db
      .insert(members)
      .values({
        organizationId,
        email: input.email,
        name: input.name ?? null,
        role: input.role,
        passwordHash,
        emailVerifiedAt: options.emailVerified ? new Date() : null,
      })
      .returning()
    if (!row) throw new Error('insert returned no row')
    return toMember(row)
  } catch (error) {
    if (isUniqueViolation(error, 'members_email_unique')) {
      throw new AppError('conflict', `${input.email} is already a member of this organisation.`, [
        { path: 'email', message: 'Already a member.' },
      ])
    }
    throw error
  }
}

export async function listMembers(db: DbOrTx, organizationId: string): Promise<Member[]> {
  const rows = await db
    .select()
    .from(members)
    .where(eq(members.organizationId, organizationId))
    .orderBy(asc(sql`lower(${members.email})`))
  return rows.map(toMember)
}

/** Members by email (case-insensitive), keyed by the lowercased email. */
export async function membersByEmail(
  db: DbOrTx,
  organizationId: string,
  emails: string[],
): Promise<Map<string, MemberRow>> {
  if (emails.length === 0) return new Map()
  const rows = await db
    .select()
    .from(members)
    .where(
      and(
        eq(members.organizationId, organizationId),
        inArray(
          sql`lower(${members.email})`,
          emails.map((e) => e.toLowerCase()),
        ),
      ),
    )
  return new Map(rows.map((row) => [row.email.toLowerCase(), row]))
}

export async function getMember(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<Member | undefined> {
  const [row] = await db
    .select()
    .from(members)
    .where(and(eq(members.organizationId, organizationId), eq(members.id, id)))
  return row && toMember(row)
}

/**
 * Locks the organisation's admins, then the member: a change of role or a removal waits for any
 * other in progress, so that two admins demoting or removing each other at once cannot leave the
 * organisation without one (and, locking in one order, they wait in turn rather than deadlock).
 */
async function lockForChange(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<{ current: MemberRow; admins: string[] }> {
  const admins = await db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.organizationId, organizationId), eq(members.role, 'admin')))
    .orderBy(asc(members.id))
    .for('update')
  const [current] = await db
    .select()
    .from(members)
    .where(and(eq(members.organizationId, organizationId), eq(members.id, id)))
    .for('update')
  if (!current) throw notFound('Member')
  return { current, admins: admins.map((admin) => admin.id) }
}

/** Refuses a change that would leave the organisation without an admin. */
function assertAnotherAdmin(leaving: MemberRow, admins: string[], change: string): void {
  if (leaving.role !== 'admin' || admins.some((id) => id !== leaving.id)) return
  throw new AppError(
    'conflict',
    `${leaving.email} is the organisation's last admin and cannot be ${change}: make another member admin first.`,
    [{ path: 'role', message: 'The organisation needs at least one admin.' }],
  )
}

/** Gives a member another role; the organisation keeps at least one admin. */
export async function changeRole(
  db: DbOrTx,
  organizationId: string,
  id: string,
  role: MemberRole,
): Promise<Member> {
  const { current, admins } = await lockForChange(db, organizationId, id)
  if (current.role === role) return toMember(current)
  if (role !== 'admin') assertAnotherAdmin(current, admins, 'demoted')
  const [row] = await db
    .update(members)
    .set({ role })
    .where(and(eq(members.organizationId, organizationId), eq(members.id, id)))
    .returning()
  if (!row) throw notFound('Member')
  return toMember(row)
}

/** The customers a member is account manager of, by name. */
export async function customersManagedBy(
  db: DbOrTx,
  organizationId: string,
  memberId: string,
): Promise<{ id: string; name: string; externalId: string | null }[]> {
  return db
    .select({ id: customers.id, name: customers.name, externalId: customers.externalId })
    .from(customerAccountManagers)
    .innerJoin(
      customers,
      and(
        eq(customers.organizationId, customerAccountManagers.organizationId),
        eq(customers.id, customerAccountManagers.customerId),
      ),
    )
    .where(
      and(
        eq(customerAccountManagers.organizationId, organizationId),
        eq(customerAccountManagers.memberId, memberId),
      ),
    )
    .orderBy(asc(customers.name), asc(customers.id))
}

/**
 * Removes a member: their sessions end and the API keys they created are revoked in the same
 * transaction, so nothing they hold works a moment longer. The organisation keeps an admin.
 * (Their account-manager assignments go with them: `withoutAccountManager` records each first.)
 */
export async function removeMember(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<{ member: Member; sessionsEnded: number; apiKeysRevoked: number }> {
  const { current, admins } = await lockForChange(db, organizationId, id)
  assertAnotherAdmin(current, admins, 'removed')
  const ended = await db
    .delete(sessions)
    .where(and(eq(sessions.organizationId, organizationId), eq(sessions.memberId, id)))
    .returning({ id: sessions.id })
  const revoked = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(apiKeys.organizationId, organizationId),
        eq(apiKeys.createdByMemberId, id),
        isNull(apiKeys.revokedAt),
      ),
    )
    .returning({ id: apiKeys.id })
  await db
    .delete(members)
    .where(and(eq(members.organizationId, organizationId), eq(members.id, id)))
  return {
    member: toMember(current),
    sessionsEnded: ended.length,
    apiKeysRevoked: revoked.length,
  }
}
