import { createHash, randomUUID } from 'node:crypto'
import { and, eq, lt, sql } from 'drizzle-orm'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db, DbOrTx } from '../db/client.ts'
import { idempotencyKeys } from '../db/schema/index.ts'
import { AppError } from '../errors.ts'

/** How long an answer is replayed to a retry with the same key. */
export const IDEMPOTENCY_HOURS = 24
/** How long a request holds its key before a retry may take over (its process died). */
const LOCK_MINUTES = 10
const KEY = /^[\x21-\x7e]{1,255}$/
const HEADER = 'idempotency-key'

interface Claim {
  organizationId: string
  credential: string
  key: string
  claim: string
}

const claims = new WeakMap<FastifyRequest, Claim>()

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads an upload, then settles its Idempotency-Key (`idempotentUpload`). */
    idempotentUpload?: boolean
  }
}

/** What makes two requests the same: the method, the address and the body as parsed. */
const fingerprintOf = (request: FastifyRequest, content: string): string =>
  createHash('sha256').update(`${request.method} ${request.url}\n${content}`).digest('hex')

/**
 * Takes the key for this request: a new key, an expired one, or one whose request died holding
 * it. Answers undefined when another request holds the key or has answered under it.
 */
async function take(db: Db, claim: Claim, fingerprint: string): Promise<boolean> {
  const rows = await db
    .insert(idempotencyKeys)
    .values({
      organizationId: claim.organizationId,
      credential: claim.credential,
      key: claim.key,
      claim: claim.claim,
      fingerprint,
      lockedUntil: sql`now() + make_interval(mins => ${LOCK_MINUTES})`,
      expiresAt: sql`now() + make_interval(hours => ${IDEMPOTENCY_HOURS})`,
    })
    .onConflictDoUpdate({
      target: [idempotencyKeys.organizationId, idempotencyKeys.credential, idempotencyKeys.key],
      set: {
        claim: claim.claim,
        fingerprint,
        responseStatus: null,
        responseType: null,
        responseBody: null,
        lockedUntil: sql`now() + make_interval(mins => ${LOCK_MINUTES})`,
        expiresAt: sql`now() + make_interval(hours => ${IDEMPOTENCY_HOURS})`,
      },
      setWhere: sql`${idempotencyKeys.expiresAt} <= now() or (${idempotencyKeys.responseStatus} is null and ${idempotencyKeys.lockedUntil} <= now())`,
    })
    .returning({ claim: idempotencyKeys.claim })
  return rows.length > 0
}

async function held(db: Db, claim: Claim) {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.organizationId, claim.organizationId),
        eq(idempotencyKeys.credential, claim.credential),
        eq(idempotencyKeys.key, claim.key),
      ),
    )
  return row
}

/**
 * Takes the key for the request (false), or answers as the key's first request did (true), or
 * refuses: another request under the key (422), or the first one still running (409).
 */
async function settle(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  claim: Claim,
  fingerprint: string,
): Promise<boolean> {
  // Twice at most: the answer found may be one of 500, deleted meanwhile.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await take(db, claim, fingerprint)) {
      claims.set(request, claim)
      return false
    }
    const row = await held(db, claim)
    if (!row) continue
    if (row.fingerprint !== fingerprint) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for another request (a different address or body): use a new key for each new request.',
        [{ path: 'Idempotency-Key', message: 'Already used for another request.' }],
      )
    }
    if (row.responseStatus === null) {
      throw new AppError(
        'conflict',
        'A request with this Idempotency-Key is still running: wait for its answer, then retry.',
        [{ path: 'Idempotency-Key', message: 'In progress.' }],
        { retryAfterSeconds: 1 },
      )
    }
    replay(reply, row.responseStatus, row.responseType, row.responseBody ?? '')
    return true
  }
  throw new AppError(
    'conflict',
    'Another request with this Idempotency-Key is being answered: retry in a moment.',
    [{ path: 'Idempotency-Key', message: 'In progress.' }],
    { retryAfterSeconds: 1 },
  )
}

const uploads = new WeakMap<FastifyRequest, (content: string) => Promise<boolean>>()

/**
 * For an upload route (`config: { idempotentUpload: true }`), once it has read the file: settles
 * the request's Idempotency-Key by `content` (what tells one upload from another, such as the
 * file's name and hash). Answers true when the first request's answer was sent again (a retry:
 * the route then stops and returns the reply), false when the route is to go on; refuses as for
 * any POST.
 */
export async function idempotentUpload(request: FastifyRequest, content: string): Promise<boolean> {
  const settleUpload = uploads.get(request)
  if (!settleUpload) return false
  uploads.delete(request)
  return settleUpload(content)
}

/**
 * Runs a POST once per `Idempotency-Key` (per organisation and credential): the request that
 * takes the key runs and its answer is kept for 24 hours; a retry with the same key and the same
 * request gets that answer again (`Idempotent-Replayed: true`) without running it, one with
 * another request is refused (422), and one sent while the first still runs is refused (409).
 * An answer of 500 or more is not kept: nothing was changed, and a retry runs again. A
 * multipart upload takes a key only on a route that settles it (`idempotentUpload`).
 */
export function idempotentPosts(app: FastifyInstance, db: Db): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return
    const header = request.headers[HEADER]
    const { scope, credential } = request
    if (header === undefined || !scope || !credential) return
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw new AppError(
        'bad_request',
        'Send one Idempotency-Key header of 1 to 255 visible characters, such as a random UUID.',
        [{ path: 'Idempotency-Key', message: 'Not a valid idempotency key.' }],
      )
    }
    const claim: Claim = {
      organizationId: scope.organizationId,
      credential,
      key: header,
      claim: randomUUID(),
    }
    if (/^multipart\//i.test(request.headers['content-type'] ?? '')) {
      // An upload is known by its file, read by the route: the route settles the key then.
      if (request.routeOptions.config.idempotentUpload !== true) {
        throw new AppError(
          'bad_request',
          'This upload does not take an Idempotency-Key: send it without one.',
          [{ path: 'Idempotency-Key', message: 'Not accepted on this upload.' }],
        )
      }
      uploads.set(request, (content) =>
        settle(db, request, reply, claim, fingerprintOf(request, content)),
      )
      return
    }
    const body = JSON.stringify(request.body ?? null)
    if (await settle(db, request, reply, claim, fingerprintOf(request, body))) return reply
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = claims.get(request)
    if (!claim) return payload
    claims.delete(request)
    const ours = and(
      eq(idempotencyKeys.organizationId, claim.organizationId),
      eq(idempotencyKeys.credential, claim.credential),
      eq(idempotencyKeys.key, claim.key),
      eq(idempotencyKeys.claim, claim.claim),
    )
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : null
    if (reply.statusCode >= 500 || body === null) {
      await db.delete(idempotencyKeys).where(ours)
      return payload
    }
    const type = reply.getHeader('content-type')
    await db
      .update(idempotencyKeys)
      .set({
        responseStatus: reply.statusCode,
        responseType: typeof type === 'string' ? type : null,
        responseBody: body,
      })
      .where(ours)
    return payload
  })
}

function replay(reply: FastifyReply, status: number, type: string | null, body: string): void {
  void reply.code(status).header('idempotent-replayed', 'true')
  if (type) void reply.header('content-type', type)
  void reply.send(body)
}

/** Forgets the answers kept longer than their 24 hours. */
export async function forgetExpiredIdempotencyKeys(db: DbOrTx): Promise<number> {
  const rows = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.expiresAt, sql`now()`))
    .returning({ key: idempotencyKeys.key })
  return rows.length
}
