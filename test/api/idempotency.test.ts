import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import type { Job } from 'pg-boss'
import { loadConfig } from '../../src/platform/config.ts'
import { maintainStore } from '../../src/platform/db/maintenance.job.ts'
import { idempotencyKeys } from '../../src/platform/db/schema/index.ts'
import { json, newOrg, testApp, testStore, type TestOrg } from '../support.ts'

const store = await testStore()
const app = await testApp(store)
// A second Roster process on the same database.
const other = await testApp(store)

const post = (
  key: string,
  idempotencyKey: string | undefined,
  body: unknown,
  url = '/api/v1/customers',
  on = app,
) =>
  on.inject({
    method: 'POST',
    url,
    headers: {
      authorization: `Bearer ${key}`,
      ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
    },
    payload: body as Record<string, unknown>,
  })

async function customerCount(org: TestOrg): Promise<number> {
  const answer = await app.inject({
    url: '/api/v1/customers?limit=200',
    headers: { authorization: `Bearer ${org.key}` },
  })
  return (json(answer).data as unknown[]).length
}

const keyRow = (org: TestOrg, key: string) =>
  and(eq(idempotencyKeys.organizationId, org.id), eq(idempotencyKeys.key, key))

describe('Idempotency-Key on POSTs', () => {
  it('answers a retry with the first answer, without doing it again, from any process', async () => {
    const org = await newOrg(store)
    const key = randomUUID()
    const created = await post(org.key, key, { name: 'Acme', externalId: 'A-1' })
    expect(created.statusCode).toBe(201)
    expect(created.headers['idempotent-replayed']).toBeUndefined()

    for (const on of [app, other]) {
      const retried = await post(org.key, key, { externalId: 'A-1', name: 'Acme' }, undefined, on)
      expect(retried.statusCode).toBe(201)
      expect(retried.headers['idempotent-replayed']).toBe('true')
      expect(retried.headers['content-type']).toContain('application/json')
      expect(json(retried)).toEqual(json(created))
      expect(retried.headers['x-content-type-options']).toBe('nosniff')
      expect(String(retried.headers['content-security-policy'])).toContain("frame-ancestors 'none'")
    }
    expect(await customerCount(org)).toBe(1)

    // Without the header, the same request is done again (and here refused: the ID is taken).
    expect((await post(org.key, undefined, { name: 'Acme', externalId: 'A-1' })).statusCode).toBe(
      409,
    )
    expect(await customerCount(org)).toBe(1)
  })

  it('keeps answers of refusals too: the retry of a conflict is the same conflict', async () => {
    const org = await newOrg(store)
    await post(org.key, undefined, { name: 'Acme', externalId: 'A-1' })
    const key = randomUUID()
    const refused = await post(org.key, key, { name: 'Other', externalId: 'A-1' })
    expect(refused.statusCode).toBe(409)
    const again = await post(org.key, key, { name: 'Other', externalId: 'A-1' })
    expect(again.statusCode).toBe(409)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(json(again)).toEqual(json(refused))
  })

  it('refuses a key already used for another body or another address', async () => {
    const org = await newOrg(store)
    const key = randomUUID()
    expect((await post(org.key, key, { name: 'Acme' })).statusCode).toBe(201)
    const otherBody = await post(org.key, key, { name: 'Acme Ltd' })
    expect(otherBody.statusCode).toBe(422)
    expect(json(otherBody).error).toMatchObject({
      code: 'idempotency_key_reused',
      details: [{ path: 'Idempotency-Key' }],
    })
    expect(json(otherBody).error.message).toContain('use a new key for each new request')
    const otherAddress = await post(org.key, key, { name: 'Acme' }, '/api/v1/workflows')
    expect(otherAddress.statusCode).toBe(422)
    expect(await customerCount(org)).toBe(1)
  })

  it('keeps each credential’s keys apart, and each organisation’s', async () => {
    const org = await newOrg(store)
    const second = await createApiKey(store.db, org.id, { name: 'second' })
    const elsewhere = await newOrg(store)
    const key = randomUUID()
    expect((await post(org.key, key, { name: 'Acme' })).statusCode).toBe(201)
    const bySecond = await post(second.key, key, { name: 'Acme' })
    expect(bySecond.statusCode).toBe(201)
    expect(bySecond.headers['idempotent-replayed']).toBeUndefined()
    expect(await customerCount(org)).toBe(2)
    const byOtherOrg = await post(elsewhere.key, key, { name: 'Acme' })
    expect(byOtherOrg.statusCode).toBe(201)
    expect(byOtherOrg.headers['idempotent-replayed']).toBeUndefined()
    expect(await customerCount(elsewhere)).toBe(1)
  })

  it('does a request once when copies of it race', async () => {
    const org = await newOrg(store)
    const key = randomUUID()
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post(org.key, key, { name: 'Racing' }, undefined, i % 2 ? app : other),
      ),
    )
    const codes = answers.map((answer) => answer.statusCode)
    expect(codes.every((code) => code === 201 || code === 409)).toBe(true)
    expect(
      answers.filter((a) => a.statusCode === 201 && !a.headers['idempotent-replayed']),
    ).toHaveLength(1)
    for (const busy of answers.filter((answer) => answer.statusCode === 409)) {
      expect(json(busy).error.message).toContain('still running')
      expect(busy.headers['retry-after']).toBe('1')
    }
    expect(await customerCount(org)).toBe(1)
  })

  it('answers 409 while the first request runs, and lets a retry take over one whose process died', async () => {
    const org = await newOrg(store)
    const key = randomUUID()
    expect((await post(org.key, key, { name: 'Acme' })).statusCode).toBe(201)
    // As if the first request were still running: no answer yet.
    await store.db
      .update(idempotencyKeys)
      .set({ responseStatus: null, responseBody: null })
      .where(keyRow(org, key))
    const busy = await post(org.key, key, { name: 'Acme' })
    expect(busy.statusCode).toBe(409)
    expect(json(busy).error).toMatchObject({ code: 'conflict' })
    expect(busy.headers['retry-after']).toBe('1')

    // Its process died: once its lock expires, a retry runs the request.
    await store.db
      .update(idempotencyKeys)
      .set({ lockedUntil: sql`now() - interval '1 second'` })
      .where(keyRow(org, key))
    const retried = await post(org.key, key, { name: 'Acme' })
    expect(retried.statusCode).toBe(201)
    expect(retried.headers['idempotent-replayed']).toBeUndefined()
  })

  it('forgets an answer after 24 hours: the request is done again, and maintenance deletes old keys', async () => {
    const org = await newOrg(store)
    const key = randomUUID()
    const first = await post(org.key, key, { name: 'Acme' })
    const [row] = await store.db.select().from(idempotencyKeys).where(keyRow(org, key))
    expect(row?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 23.9 * 3600 * 1000)
    expect(row?.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 24 * 3600 * 1000)

    await store.db
      .update(idempotencyKeys)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(keyRow(org, key))
    const again = await post(org.key, key, { name: 'Acme' })
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBeUndefined()
    expect(json(again).id).not.toBe(json(first).id)
    expect(await customerCount(org)).toBe(2)

    const kept = randomUUID()
    await post(org.key, kept, { name: 'Kept' })
    await store.db
      .update(idempotencyKeys)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(keyRow(org, key))
    // The store's hourly maintenance job.
    const job = { id: randomUUID(), name: maintainStore.name, data: {} } as unknown as Job
    await maintainStore.handle({ db: store.db, config: loadConfig() }, {}, job)
    const left = await store.db
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.organizationId, org.id))
    expect(left.map((r) => r.key)).toEqual([kept])
  })

  it('refuses a malformed key', async () => {
    const org = await newOrg(store)
    const bad = await post(org.key, 'x'.repeat(256), { name: 'Acme' })
    expect(bad.statusCode).toBe(400)
    expect(json(bad).error.details).toEqual([
      { path: 'Idempotency-Key', message: 'Not a valid idempotency key.' },
    ])
    expect(await customerCount(org)).toBe(0)
  })

  it('answers a retried file upload with the first upload, known by its file', async () => {
    const org = await newOrg(store)
    const upload = (key: string, file: string, name = 'customers.csv') => {
      const boundary = `b-${randomUUID()}`
      return app.inject({
        method: 'POST',
        url: '/api/v1/imports',
        headers: {
          authorization: `Bearer ${org.key}`,
          'idempotency-key': key,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n--${boundary}--\r\n`,
      })
    }
    const imports = async () =>
      json(
        await app.inject({
          url: '/api/v1/imports',
          headers: { authorization: `Bearer ${org.key}` },
        }),
      ).data as unknown[]
    const key = randomUUID()
    const first = await upload(key, 'Name\nAcme\n')
    expect(first.statusCode).toBe(201)
    // The same file again, in a body of its own (another multipart boundary).
    const retried = await upload(key, 'Name\nAcme\n')
    expect(retried.statusCode).toBe(201)
    expect(retried.headers['idempotent-replayed']).toBe('true')
    expect(json(retried).id).toBe(json(first).id)
    expect(await imports()).toHaveLength(1)

    expect((await upload(key, 'Name\nGlobex\n')).statusCode).toBe(422)
    expect((await upload(key, 'Name\nAcme\n', 'other.csv')).statusCode).toBe(422)
    expect(await imports()).toHaveLength(1)
  })
})
