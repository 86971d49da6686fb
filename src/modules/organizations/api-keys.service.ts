import { and, desc, eq, isNull } from 'drizzle-orm'
import type { z } from 'zod'
import type { apiKey } from '../../contracts/organizations.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { apiKeys } from '../../platform/db/schema/index.ts'
import { hashToken, newToken } from '../../platform/auth/secrets.ts'
import { notFound } from '../../platform/errors.ts'

type ApiKey = z.infer<typeof apiKey>
type ApiKeyRow = typeof apiKeys.$inferSelect

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
})

/** Creates a key; the returned `key` is the only time the secret is shown. */
export async function createApiKey(
  db: DbOrTx,
  organizationId: string,
  input: { name: string; createdByMemberId?: string | null },
): Promise<ApiKey & { key: string }> {
  const key = newToken('rst')
  const [row] = await db
    .insert(apiKeys)
    .values({
      organizationId,
      name: input.name,
      prefix: key.slice(0, 10),
      tokenHash: hashToken(key),
      createdByMemberId: input.createdByMemberId ?? null,
    })
    .returning()
  if (!row) throw new Error('insert returned no row')
  return { ...toApiKey(row), key }
}

export async function listApiKeys(db: DbOrTx, organizationId: string): Promise<ApiKey[]> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.organizationId, organizationId))
    .orderBy(desc(apiKeys.createdAt))
  return rows.map(toApiKey)
}

export async function revokeApiKey(db: DbOrTx, organizationId: string, id: string): Promise<void> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(apiKeys.organizationId, organizationId),
        eq(apiKeys.id, id),
        isNull(apiKeys.revokedAt),
      ),
    )
    .returning({ id: apiKeys.id })
  if (rows.length === 0) throw notFound('API key')
}

// last_used_at is for people ("used 3 minutes ago"), so it is written at most once a minute
// rather than on every request.
const LAST_USED_PRECISION_MS = 60_000

/** The organisation and key of a bearer token, or undefined for an unknown or revoked one. */
export async function authenticateApiKey(
  db: DbOrTx,
  token: string,
): Promise<{ organizationId: string; id: string; name: string } | undefined> {
  const [row] = await db
    .select({
      organizationId: apiKeys.organizationId,
      id: apiKeys.id,
      name: apiKeys.name,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.tokenHash, hashToken(token)), isNull(apiKeys.revokedAt)))
  if (!row) return undefined
  const now = new Date()
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.organizationId, row.organizationId), eq(apiKeys.id, row.id)))
  }
  return { organizationId: row.organizationId, id: row.id, name: row.name }
}
