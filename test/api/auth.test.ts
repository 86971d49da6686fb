import { describe, expect, it } from 'vitest'
import { client, json, newMember, newOrg, testApp, testStore } from '../support.ts'

const store = await testStore()
const app = await testApp(store)

async function signIn(email: string, password: string, organization?: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email, password, ...(organization ? { organization } : {}) },
  })
}

const cookieOf = (res: Awaited<ReturnType<typeof signIn>>): string => {
  const cookie = res.cookies.find((c) => c.name === 'roster_session')
  if (!cookie) throw new Error('no session cookie')
  return `roster_session=${cookie.value}`
}

describe('authentication and errors', () => {
  it('answers /healthz and serves the OpenAPI document and docs', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
    const doc = json(await app.inject({ url: '/api/openapi.json' }))
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/customers',
        '/api/v1/customers/{id}/contacts',
        '/api/v1/contacts/{id}',
      ]),
    )
    const docs = await app.inject({ url: '/api/docs/' })
    expect(docs.statusCode).toBe(200)
    expect(docs.body).toContain('<html')
  })

  it('refuses requests without credentials or with a wrong key, saying nothing of organisations', async () => {
    const org = await newOrg(store)
    const none = await app.inject({ url: '/api/v1/customers' })
    const wrong = await app.inject({
      url: '/api/v1/customers',
      headers: { authorization: 'Bearer rst_nope' },
    })
    const nearly = await app.inject({
      url: '/api/v1/customers',
      headers: { authorization: `Bearer ${org.key}x` },
    })
    for (const res of [none, wrong, nearly]) {
      expect(res.statusCode).toBe(401)
      expect(json(res).error.code).toBe('unauthenticated')
    }
    expect(json(wrong)).toEqual(json(nearly))
  })

  it('revokes an API key', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    const created = json(await api.post('/api/v1/api-keys', { name: 'temp' }))
    expect(created.key).toMatch(/^rst_/)
    const temp = client(app, created.key as string)
    expect((await temp.get('/api/v1/customers')).statusCode).toBe(200)
    const listed = json(await api.get('/api/v1/api-keys')).data
    expect(listed.some((k: Record<string, unknown>) => 'key' in k)).toBe(false)
    const used = listed.find((k: { id: string }) => k.id === created.id)
    expect(Date.parse(used.lastUsedAt as string)).toBeGreaterThan(Date.now() - 60_000)
    expect((await api.delete(`/api/v1/api-keys/${created.id as string}`)).statusCode).toBe(204)
    expect((await temp.get('/api/v1/customers')).statusCode).toBe(401)
  })

  it('signs a member in with a session cookie and out again', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'account_manager', 'correct horse')
    expect((await signIn(member.email, 'wrong password')).statusCode).toBe(401)
    const res = await signIn(member.email.toUpperCase(), 'correct horse')
    expect(res.statusCode).toBe(200)
    expect(json(res)).toMatchObject({
      organization: { id: org.id },
      member: { email: member.email },
    })
    expect(res.cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Lax' })
    const asMember = client(app, { cookie: cookieOf(res) })
    expect(json(await asMember.get('/api/v1/session')).member.role).toBe('account_manager')
    expect((await asMember.get('/api/v1/customers')).statusCode).toBe(200)
    expect((await asMember.delete('/api/v1/session')).statusCode).toBe(204)
    expect((await asMember.get('/api/v1/customers')).statusCode).toBe(401)
  })

  it('asks which organisation when an email signs in to several', async () => {
    const a = await newOrg(store)
    const b = await newOrg(store)
    const email = `shared-${a.slug}@example.com`
    for (const org of [a, b]) {
      await client(app, org.key).post('/api/v1/members', {
        email,
        password: 'password1',
        role: 'member',
      })
    }
    const ambiguous = await signIn(email, 'password1')
    expect(ambiguous.statusCode).toBe(400)
    const chosen = await signIn(email, 'password1', b.slug)
    expect(json(chosen).organization.id).toBe(b.id)
  })

  it('lets only admins add members and workflows', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member', 'password1')
    const asMember = client(app, { cookie: cookieOf(await signIn(member.email, 'password1')) })
    const add = await asMember.post('/api/v1/members', { email: 'new@example.com' })
    expect(add.statusCode).toBe(403)
    expect(json(add).error.code).toBe('forbidden')
    const wf = await asMember.post('/api/v1/workflows', { name: 'W' })
    expect(wf.statusCode).toBe(403)
    // Members still work on customers.
    const customer = await asMember.post('/api/v1/customers', { name: 'Mine' })
    expect(customer.statusCode).toBe(201)
  })

  it('lists and adds members and workflows, refusing duplicates', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    const added = await api.post('/api/v1/members', {
      email: 'Ann@Example.com',
      name: 'Ann',
      role: 'admin',
    })
    expect(added.statusCode).toBe(201)
    expect(json(added)).not.toHaveProperty('passwordHash')
    expect((await api.post('/api/v1/members', { email: 'ann@example.com' })).statusCode).toBe(409)
    expect(json(await api.get('/api/v1/members')).data).toHaveLength(1)
    expect(
      (await api.post('/api/v1/members', { email: 'b@example.com', role: 'owner' })).statusCode,
    ).toBe(400)
    expect((await api.post('/api/v1/workflows', { name: 'Gentle' })).statusCode).toBe(201)
    expect((await api.post('/api/v1/workflows', { name: 'GENTLE' })).statusCode).toBe(409)
    expect(
      json(await api.get('/api/v1/workflows')).data.map((w: { name: string }) => w.name),
    ).toEqual(['Gentle'])
  })

  it('answers malformed JSON with 400, a body over the limit with 413, and unknown routes with 404', async () => {
    const org = await newOrg(store)
    const headers = { authorization: `Bearer ${org.key}`, 'content-type': 'application/json' }
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers,
      payload: '{"name":',
    })
    expect(malformed.statusCode).toBe(400)
    expect(json(malformed).error.code).toBe('bad_request')
    const huge = await app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers,
      payload: JSON.stringify({ name: 'x'.repeat(200 * 1024) }),
    })
    expect(huge.statusCode).toBe(413)
    expect(json(huge).error.code).toBe('payload_too_large')
    const missing = await app.inject({ url: '/api/v1/nothing', headers })
    expect(missing.statusCode).toBe(404)
    expect(json(missing).error.code).toBe('not_found')
    const badId = await app.inject({ url: '/api/v1/customers/not-a-uuid', headers })
    expect(badId.statusCode).toBe(400)
  })
})
