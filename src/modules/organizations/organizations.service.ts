import { randomBytes } from 'node:crypto'
import { eq, or, sql } from 'drizzle-orm'
import type { Member } from '../../contracts/organizations.ts'
import { z } from 'zod'
import { AppError, isUniqueViolation, notFound } from '../../platform/errors.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { organizations } from '../../platform/db/schema/index.ts'
import { toCountryCode } from '../../contracts/country.ts'
import { addMember } from './members.service.ts'

export type Organization = typeof organizations.$inferSelect

export function slugify(name: string): string {
  return (
    name
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'organization'
  )
}

const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/

export async function createOrganization(
  db: DbOrTx,
  input: { name: string; slug?: string; country?: string },
): Promise<Organization> {
  const name = input.name.trim()
  if (!name) throw new AppError('validation_failed', 'The organisation needs a name.')
  const slug = input.slug ?? slugify(name)
  if (!slugPattern.test(slug)) {
    throw new AppError(
      'validation_failed',
      `"${slug}" is not a valid slug: use lowercase letters, digits and dashes.`,
    )
  }
  let defaultCountry: string | null = null
  if (input.country) {
    defaultCountry = toCountryCode(input.country) ?? null
    if (!defaultCountry) {
      throw new AppError('validation_failed', `Unknown country "${input.country}".`)
    }
  }
  try {
    const [row] = await db.insert(organizations).values({ name, slug, defaultCountry }).returning()
    if (!row) throw new Error('insert returned no row')
    return row
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('conflict', `An organisation with the slug "${slug}" already exists.`)
    }
    throw error
  }
}

/** Finds an organisation by slug or id, as the CLI's --org takes it. */
export async function findOrganization(db: DbOrTx, slugOrId: string): Promise<Organization> {
  const isId = z.uuid().safeParse(slugOrId).success
  const [row] = await db
    .select()
    .from(organizations)
    .where(
      isId
        ? or(eq(organizations.id, slugOrId), eq(organizations.slug, slugOrId))
        : eq(organizations.slug, slugOrId),
    )
    .limit(1)
  if (!row) throw notFound(`Organisation "${slugOrId}"`)
  return row
}

export async function getOrganization(db: DbOrTx, id: string): Promise<Organization> {
  const [row] = await db.select().from(organizations).where(eq(organizations.id, id))
  if (!row) throw notFound('Organisation')
  return row
}

export async function countOrganizations(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(organizations)
  return row?.n ?? 0
}

/**
 * Signs up: a new organisation (its slug from its name, made unique) and its first admin, who
 * signs in at once. The caller checks that the operator allows sign-ups.
 */
export async function signUp(
  tx: DbOrTx,
  input: { organization: string; name: string; email: string; password: string },
): Promise<{ organization: Organization; member: Member }> {
  const base = slugify(input.organization).slice(0, 50).replace(/-+$/, '') || 'organization'
  const [taken] = await tx
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.slug, base))
  const slug = taken ? `${base}-${randomBytes(3).toString('hex')}` : base
  const organization = await createOrganization(tx, { name: input.organization, slug })
  const member = await addMember(tx, organization.id, {
    email: input.email,
    name: input.name,
    role: 'admin',
    password: input.password,
  })
  return { organization, member }
}
