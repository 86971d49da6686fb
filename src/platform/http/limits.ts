import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ApiLimits } from '../config.ts'
import type { Db, DbOrTx } from '../db/client.ts'
import { apiRequestsInFlight, apiUsage } from '../db/schema/index.ts'
import { AppError } from '../errors.ts'

/**
 * How long a request in flight holds its place when its process dies without giving it back:
 * then its place is given back when another request of the credential finds the limit reached,
 * and by the store's maintenance job. A request that really lasts longer (a large upload) only
 * lets one more request in meanwhile.
 */
const LEASE_MINUTES = 10

interface Admission {
  admitted: boolean
  requests: number
  inFlight: number
  /** Seconds until the window starts again. */
  resetSeconds: number
}

/**
 * Counts one request of a credential and, unless the minute's requests or those in flight are
 * at their limit, lets it in, in one statement: the credential's row is updated (a row lock, so
 * every process counts the same) and the request's lease is written with it.
 */
async function admit(
  db: Db,
  organizationId: string,
  credential: string,
  request: string,
  limits: ApiLimits,
  /** False when asking again for a request already counted. */
  count = true,
): Promise<Admission> {
  const stale = sql`${apiUsage.windowStartedAt} <= now() - interval '1 minute'`
  const requests = sql`case when ${stale} then 1 else ${apiUsage.requests} + ${count ? 1 : 0} end`
  const admits = sql`(${requests} <= ${limits.requestsPerMinute} and ${apiUsage.inFlight} < ${limits.concurrent})`
  const { rows } = await db.execute<{
    requests: number
    in_flight: number
    admitted: boolean
    reset_seconds: number
  }>(sql`
    with usage as (
      insert into ${apiUsage} as api_usage (organization_id, credential, window_started_at, requests, in_flight, admitted_request)
      values (${organizationId}, ${credential}, now(), 1, 1, ${request})
      on conflict (organization_id, credential) do update set
        window_started_at = case when ${stale} then now() else ${apiUsage.windowStartedAt} end,
        requests = ${requests},
        in_flight = case when ${admits} then ${apiUsage.inFlight} + 1 else ${apiUsage.inFlight} end,
        admitted_request = case when ${admits} then ${request}::uuid else null end
      returning requests, in_flight, window_started_at, admitted_request = ${request}::uuid as admitted
    ), lease as (
      insert into ${apiRequestsInFlight} (organization_id, id, credential, expires_at)
      select ${organizationId}::uuid, ${request}::uuid, ${credential}::text, now() + make_interval(mins => ${LEASE_MINUTES})
      from usage where usage.admitted
    )
    select requests, in_flight, admitted,
      greatest(0, extract(epoch from window_started_at + interval '1 minute' - now()))::float8 as reset_seconds
    from usage`)
  const row = rows[0]
  if (!row) throw new Error('the API usage statement returned no row')
  return {
    admitted: row.admitted,
    requests: row.requests,
    inFlight: row.in_flight,
    resetSeconds: row.reset_seconds,
  }
}

/** Gives back the place of a request that ended; a second call does nothing. */
async function release(db: Db, organizationId: string, request: string): Promise<void> {
  await db.execute(sql`
    with lease as (
      delete from ${apiRequestsInFlight}
      where organization_id = ${organizationId} and id = ${request}
      returning organization_id, credential
    )
    update ${apiUsage} set in_flight = greatest(${apiUsage.inFlight} - 1, 0)
    from lease
    where ${apiUsage.organizationId} = lease.organization_id and ${apiUsage.credential} = lease.credential`)
}

/**
 * Gives back the places of requests whose process died before they ended (their lease expired),
 * of one credential or of all; answers how many.
 */
export async function releaseExpired(
  db: DbOrTx,
  only?: { organizationId: string; credential: string },
): Promise<number> {
  const { rows } = await db.execute<{ released: number }>(sql`
    with expired as (
      delete from ${apiRequestsInFlight}
      where expires_at < now()
        ${only ? sql`and organization_id = ${only.organizationId} and credential = ${only.credential}` : sql``}
      returning organization_id, credential
    ), counts as (
      select organization_id, credential, count(*)::int as n from expired group by 1, 2
    ), updated as (
      update ${apiUsage} set in_flight = greatest(${apiUsage.inFlight} - counts.n, 0)
      from counts
      where ${apiUsage.organizationId} = counts.organization_id and ${apiUsage.credential} = counts.credential
    )
    select coalesce(sum(n), 0)::int as released from counts`)
  return rows[0]?.released ?? 0
}

/** Forgets the counts of credentials unused for an hour (nothing in flight). */
export async function forgetIdleUsage(db: DbOrTx): Promise<void> {
  await db.execute(sql`
    delete from ${apiUsage}
    where window_started_at < now() - interval '1 hour' and in_flight = 0`)
}

function setHeaders(reply: FastifyReply, limits: ApiLimits, admission: Admission): void {
  void reply.headers({
    'ratelimit-limit': String(limits.requestsPerMinute),
    'ratelimit-remaining': String(Math.max(0, limits.requestsPerMinute - admission.requests)),
    'ratelimit-reset': String(Math.ceil(admission.resetSeconds)),
  })
}

function refusal(limits: ApiLimits, admission: Admission): AppError {
  if (admission.requests > limits.requestsPerMinute) {
    const seconds = Math.max(1, Math.ceil(admission.resetSeconds))
    return new AppError(
      'rate_limited',
      `Too many requests: this credential may send ${limits.requestsPerMinute} a minute. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
      [],
      { retryAfterSeconds: seconds },
    )
  }
  return new AppError(
    'rate_limited',
    `Too many requests at once: this credential may have ${limits.concurrent} in progress. Wait for one to finish, then try again.`,
    [],
    { retryAfterSeconds: 1 },
  )
}

/**
 * Limits the requests of each API key and each session, counted in the database so that every
 * Roster process counts the same: so many a minute, so many in flight. Every answer says where
 * the credential stands (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`); one over
 * a limit is refused with 429 and Retry-After. Added after the authentication hook.
 */
export function limitRequests(app: FastifyInstance, db: Db, limits: ApiLimits): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const { scope, credential } = request
    if (!scope || !credential) return
    const { organizationId } = scope
    const id = randomUUID()
    let admission = await admit(db, organizationId, credential, id, limits)
    if (
      !admission.admitted &&
      admission.inFlight >= limits.concurrent &&
      (await releaseExpired(db, { organizationId, credential })) > 0
    ) {
      admission = await admit(db, organizationId, credential, id, limits, false)
    }
    setHeaders(reply, limits, admission)
    if (!admission.admitted) throw refusal(limits, admission)

    // The place is given back before the answer leaves, so that a client sending its next
    // request on receiving it finds the place free; or when the client goes away first.
    let released: Promise<void> | undefined
    const giveBack = (): Promise<void> => {
      released ??= release(db, organizationId, id).catch((error: unknown) => {
        request.log.warn({ err: error }, 'could not give back an API request place')
      })
      return released
    }
    places.set(request, giveBack)
    reply.raw.once('close', () => void giveBack())
  })
  app.addHook('onSend', async (request) => {
    await places.get(request)?.()
  })
}

const places = new WeakMap<FastifyRequest, () => Promise<void>>()
