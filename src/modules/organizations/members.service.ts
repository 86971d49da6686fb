import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Member, MemberCreate } from '../../contracts/organizations.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { members } from '../../platform/db/schema/index.ts'
import { hashPassword } from '../../platform/auth/secrets.ts'
import { AppError, isUniqueViolation } from '../../platform/errors.ts'

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
