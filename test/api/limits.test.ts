import { randomUUID } from 'node:crypto'
import { PassThrough } from 'node:stream'
import { setTimeout as tick } from 'node:timers/promises'
import { eq, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import { apiRequestsInFlight, apiUsage } from '../../src/platform/db/schema/index.ts'
import { forgetExpiredApiState } from '../../src/platform/db/maintenance.job.ts'
import { json, newMember, newOrg, testApp, testStore, type TestOrg } from '../support.ts'

const store = await testStore()
// Two Roster processes on the same database, as behind a load balancer.
const first = await testApp(store, { apiLimits: { requestsPerMinute: 3, concurrent: 2 } })
const second = await testApp(store, { apiLimits: { requestsPerMinute: 3, concurrent: 2 } })

const list = (app: FastifyInstance, key: string) =>
  app.inject({ url: '/api/v1/customers', headers: { authorization: `Bearer ${key}` } })

async function inFlight(org: TestOrg): Promise<number> {
  const rows = await store.db
    .select({ n: apiUsage.inFlight })
    .from(apiUsage)
    .where(eq(apiUsage.organizationId, org.id))
  return rows.reduce((sum, row) => sum + row.n, 0)
}

/** Waits until the organisation's requests in flight are `n` (they are counted in the database). */
async function untilInFlight(org: TestOrg, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await inFlight(org)) === n) return
    await tick(10)
  }
  throw new Error(`requests in flight never reached ${n} (${await inFlight(org)})`)
}

/** A POST whose body is still arriving: it holds its place until `body.end()`. */
function pendingPost(app: FastifyInstance, key: string) {
  const body = new PassThrough()
  const controller = new AbortController()
  const answer = app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: body,
    signal: controller.signal,
  })
  return {
    body,
    answer,
    abort: () => {
      controller.abort()
    },
  }
}

describe('API limits', () => {
  it('refuses the request over the minute’s limit with 429, Retry-After and where the key stands', async () => {
    const org = await newOrg(store)
    for (const remaining of [2, 1, 0]) {
      const answer = await list(first, org.key)
      expect(answer.statusCode).toBe(200)
      expect(answer.headers['ratelimit-limit']).toBe('3')
      expect(answer.headers['ratelimit-remaining']).toBe(String(remaining))
      expect(Number(answer.headers['ratelimit-reset'])).toBeGreaterThan(0)
      expect(Number(answer.headers['ratelimit-reset'])).toBeLessThanOrEqual(60)
    }
    const refused = await list(first, org.key)
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['ratelimit-remaining']).toBe('0')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60)
    expect(json(refused).error).toMatchObject({ code: 'rate_limited', details: [] })
    expect(json(refused).error.message).toMatch(/Too many requests: .* 3 a minute\. Try again in/)
    // A refusal is an answer like any other: the security headers are on it too.
    expect(refused.headers['x-content-type-options']).toBe('nosniff')
    expect(String(refused.headers['content-security-policy'])).toContain("frame-ancestors 'none'")

    // Another key of the same organisation counts its own requests.
    const other = await createApiKey(store.db, org.id, { name: 'other' })
    expect((await list(first, other.key)).statusCode).toBe(200)

    // A new minute starts the count again.
    await store.db
      .update(apiUsage)
      .set({ windowStartedAt: sql`now() - interval '61 seconds'` })
      .where(eq(apiUsage.organizationId, org.id))
    const again = await list(first, org.key)
    expect(again.statusCode).toBe(200)
    expect(again.headers['ratelimit-remaining']).toBe('2')
  })

  it('counts a key’s requests across the Roster processes that share the database', async () => {
    const org = await newOrg(store)
    expect((await list(first, org.key)).statusCode).toBe(200)
    expect((await list(second, org.key)).statusCode).toBe(200)
    expect((await list(first, org.key)).headers['ratelimit-remaining']).toBe('0')
    expect((await list(second, org.key)).statusCode).toBe(429)
  })

  it('counts each session apart from the API keys', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member', 'a good password')
    const signIn = await first.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: member.email, password: 'a good password' },
    })
    expect(signIn.statusCode).toBe(200)
    expect(signIn.headers['ratelimit-limit']).toBeUndefined()
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? ''
    for (let i = 0; i < 3; i++) expect((await list(first, org.key)).statusCode).toBe(200)
    expect((await list(first, org.key)).statusCode).toBe(429)
    const mine = await first.inject({ url: '/api/v1/customers', headers: { cookie } })
    expect(mine.statusCode).toBe(200)
    expect(mine.headers['ratelimit-remaining']).toBe('2')
  })

  it('leaves the routes without credentials alone', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await first.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: `nobody-${randomUUID()}@example.com`, password: 'wrong' },
      })
      expect(answer.statusCode).toBe(401)
      expect(answer.headers['ratelimit-limit']).toBeUndefined()
    }
    const hook = await first.inject({
      method: 'POST',
      url: `/webhooks/${randomUUID()}`,
      payload: {},
    })
    expect(hook.statusCode).not.toBe(429)
    expect(hook.headers['ratelimit-limit']).toBeUndefined()
  })

  it('refuses a request over the limit in flight, across processes, and gives places back however requests end', async () => {
    const org = await newOrg(store)
    const one = pendingPost(first, org.key)
    const two = pendingPost(second, org.key)
    await untilInFlight(org, 2)

    const refused = await list(first, org.key)
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['retry-after']).toBe('1')
    expect(json(refused).error.message).toContain('Too many requests at once')
    expect(json(refused).error.message).toContain('2 in progress')

    // (The minute's three requests are spent: start a new minute for the next checks.)
    await store.db
      .update(apiUsage)
      .set({ windowStartedAt: sql`now() - interval '61 seconds'` })
      .where(eq(apiUsage.organizationId, org.id))

    // A request that fails gives its place back before its answer arrives.
    one.body.end('{"not json')
    expect((await one.answer).statusCode).toBe(400)
    expect((await list(second, org.key)).statusCode).toBe(200)

    // A request its client abandons gives its place back too.
    two.abort()
    await expect(two.answer).rejects.toThrow()
    await untilInFlight(org, 0)
    expect(
      await store.db.$count(apiRequestsInFlight, eq(apiRequestsInFlight.organizationId, org.id)),
    ).toBe(0)
  })

  it('gives back the places of a process killed mid-request once their lease expires', async () => {
    const org = await newOrg(store)
    expect((await list(first, org.key)).statusCode).toBe(200)
    const [usage] = await store.db
      .select()
      .from(apiUsage)
      .where(eq(apiUsage.organizationId, org.id))
    if (!usage) throw new Error('no usage row')
    // Two requests were in flight in a process that died: their places were never given back.
    const dead = async (expiresAt: ReturnType<typeof sql>) => {
      await store.db.insert(apiRequestsInFlight).values([
        { organizationId: org.id, id: randomUUID(), credential: usage.credential, expiresAt },
        { organizationId: org.id, id: randomUUID(), credential: usage.credential, expiresAt },
      ])
      await store.db
        .update(apiUsage)
        .set({ inFlight: 2 })
        .where(eq(apiUsage.organizationId, org.id))
    }
    await dead(sql`now() + interval '5 minutes'`)
    expect((await list(first, org.key)).statusCode).toBe(429)
    await store.db.delete(apiRequestsInFlight).where(eq(apiRequestsInFlight.organizationId, org.id))

    await dead(sql`now() - interval '1 second'`)
    expect((await list(first, org.key)).statusCode).toBe(200)
    expect(await inFlight(org)).toBe(0)

    // The maintenance job does the same for credentials that send nothing more.
    await dead(sql`now() - interval '1 second'`)
    await forgetExpiredApiState(store.db)
    expect(await inFlight(org)).toBe(0)
  })
})
