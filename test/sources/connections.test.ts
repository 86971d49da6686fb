import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { isLocalUrl } from '../../src/modules/sources/connections.queries.ts'
import { webhookHeaders } from '../../src/modules/sources/connectors/index.ts'
import { connections, customers, syncRuns } from '../../src/platform/db/schema/index.ts'
import { client, json, newMember, newOrg, testApp, testQueue, testStore } from '../support.ts'
import { customerByExternalId, syncKit } from './helpers.ts'
import { contact, customer, ScriptedSource, scriptedConnectors } from './scripted.ts'

const connectors = scriptedConnectors('stripe', 'chargebee')
const store = await testStore()
const logs: string[] = []
const app = await testApp(store, {
  connectors,
  logger: { level: 'trace', stream: { write: (line) => logs.push(line) } },
})
const kit = syncKit(store, await testQueue(store), app, connectors)

const SECRET = 'sk_test_the-secret-key-0123456789'

async function orgWithSource() {
  const org = await newOrg(store)
  const source = new ScriptedSource({ validKeys: [SECRET] })
  return { org, source, api: client(app, org.key) }
}

const stripeBody = (source: ScriptedSource, apiKey = SECRET) => ({
  system: 'stripe',
  settings: { site: source.site },
  secrets: { apiKey, webhookSecret: 'whsec_also-secret' },
})

describe('the webhook URL', () => {
  it('is said to be local when Roster’s public URL names this machine', () => {
    for (const url of [
      'http://localhost:3000',
      'http://LOCALHOST.:3000',
      'http://roster.localhost',
      'http://127.0.0.1:8080',
      'http://[::1]:3000',
      'http://0.0.0.0',
    ]) {
      expect(isLocalUrl(url), url).toBe(true)
    }
    for (const url of [
      'https://roster.example.com',
      'http://10.0.0.2:3000',
      'https://127.example',
    ]) {
      expect(isLocalUrl(url), url).toBe(false)
    }
  })
})

describe('the systems Roster connects to', () => {
  it('lists what each connector declares: its auth, settings, secrets, webhook header and contact rule', async () => {
    const { org } = await orgWithSource()
    // Roster's own connectors, not the scripted ones of this file.
    const ownApp = await testApp(store)
    const res = await client(ownApp, org.key).get('/api/v1/connectors')
    expect(res.statusCode).toBe(200)
    const { data } = json(res)
    expect(data.map((d: any) => [d.system, d.label, d.auth, d.webhookHeader])).toEqual([
      ['chargebee', 'Chargebee', 'api_key', 'authorization'],
      ['netsuite', 'NetSuite', 'oauth1_token', null],
      ['pennylane', 'Pennylane', 'api_key', null],
      ['quickbooks', 'QuickBooks', 'oauth2_authorization_code', 'intuit-signature'],
      ['salesforce', 'Salesforce', 'oauth2_authorization_code', null],
      ['sellsy', 'Sellsy', 'oauth2_client_credentials', null],
      ['stripe', 'Stripe', 'api_key', 'stripe-signature'],
      ['xero', 'Xero', 'oauth2_authorization_code', 'x-xero-signature'],
      ['zuora', 'Zuora', 'oauth2_client_credentials', 'authorization'],
    ])
    expect(data[0].settings).toEqual([
      {
        key: 'site',
        label: 'Chargebee site',
        help: "The site's name, like acme-test for acme-test.chargebee.com.",
        required: true,
        masked: false,
      },
      {
        key: 'baseUrl',
        label: 'Base URL',
        help: 'Only for a proxy or a test server standing in for Chargebee.',
        required: false,
        masked: false,
        placeholder: 'https://…',
      },
    ])
    const stripe = data.find((d: any) => d.system === 'stripe')
    expect(stripe.secrets.map((f: any) => [f.key, f.required, f.masked])).toEqual([
      ['apiKey', true, true],
      ['webhookSecret', false, true],
    ])
    expect(stripe.contactRule).toMatch(/^Each customer's own email/)
    // The log hides each system's webhook proof (systems that send none have none).
    expect(webhookHeaders()).toEqual([
      'authorization',
      'intuit-signature',
      'stripe-signature',
      'x-xero-signature',
    ])
    expect((await app.inject({ method: 'GET', url: '/api/v1/connectors' })).statusCode).toBe(401)
  })
})

describe('connecting a system', () => {
  it('checks the credentials, stores them encrypted, never shows them, and queues a first full sync', async () => {
    const { org, source, api } = await orgWithSource()
    logs.length = 0
    const res = await api.post('/api/v1/connections', stripeBody(source))
    expect(res.statusCode).toBe(201)
    const body = json(res)
    expect(body).toMatchObject({
      system: 'stripe',
      name: 'Stripe',
      status: 'active',
      statusMessage: null,
      settings: { site: source.site },
      webhookUrl: `http://localhost:3000/webhooks/stripe/${body.id as string}`,
      // ROSTER_PUBLIC_URL is unset: the web app warns that Stripe cannot reach it.
      webhookUrlLocal: true,
      isContactSource: true,
      lastRun: { status: 'queued', mode: 'full', trigger: 'manual' },
      lastFullSyncAt: null,
    })
    expect(res.body).not.toContain(SECRET)
    expect(res.body).not.toContain('whsec_also-secret')
    const listed = await api.get('/api/v1/connections')
    expect(json(listed).data).toHaveLength(1)
    expect(listed.body).not.toContain(SECRET)

    const [row] = await store.db.select().from(connections).where(eq(connections.id, body.id))
    expect(row?.credentials).toMatch(/^v1\./)
    expect(row?.credentials).not.toContain(SECRET)
    expect(Buffer.from(row?.credentials ?? '', 'base64url').toString('latin1')).not.toContain(
      'sk_test',
    )
    const plain = await kit.vault.decrypt(row?.credentials ?? '', `${org.id}/${row?.id ?? ''}`)
    expect(JSON.parse(plain)).toEqual({ apiKey: SECRET, webhookSecret: 'whsec_also-secret' })
    expect(logs.length).toBeGreaterThan(0)
    expect(logs.join('\n')).not.toContain(SECRET)
  })

  it('says what is wrong and saves nothing when the input or the credentials are refused', async () => {
    const { source, api } = await orgWithSource()
    const wrongKey = await api.post('/api/v1/connections', stripeBody(source, 'sk_wrong'))
    expect(wrongKey.statusCode).toBe(400)
    expect(json(wrongKey).error.message).toBe(
      'Stripe refused these credentials (Invalid API key provided); check the API key and try again.',
    )
    const noKey = await api.post('/api/v1/connections', {
      system: 'stripe',
      settings: { site: source.site },
      secrets: {},
    })
    expect(json(noKey).error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'secrets.apiKey' }],
    })
    const notYet = await api.post('/api/v1/connections', {
      system: 'xero',
      secrets: { apiKey: 'k' },
    })
    expect(json(notYet).error.message).toBe(
      'Roster cannot connect to Xero yet; it will come in a later version.',
    )
    const unknown = await api.post('/api/v1/connections', { ...stripeBody(source), extra: 1 })
    expect(json(unknown).error.message).toBe('Unknown field: extra.')
    const badSystem = await api.post('/api/v1/connections', { system: 'sap', secrets: {} })
    expect(badSystem.statusCode).toBe(400)
    source.failNext({ kind: 'temporary', message: 'connection reset' })
    const unreachable = await api.post('/api/v1/connections', stripeBody(source))
    expect(unreachable.statusCode).toBe(502)
    expect(json(unreachable).error).toEqual({
      code: 'source_unavailable',
      message:
        'Stripe could not check the credentials right now (connection reset); try again in a moment.',
      details: [],
    })
    expect(json(await api.get('/api/v1/connections')).data).toEqual([])
  })

  it('is for admins: members may look, not change', async () => {
    const { org, source, api } = await orgWithSource()
    const { id } = json(await api.post('/api/v1/connections', stripeBody(source)))
    const member = await newMember(store, org, 'member', 'member-password')
    const session = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: member.email, password: 'member-password' },
    })
    const cookie = String(session.headers['set-cookie']).split(';')[0] ?? ''
    const asMember = client(app, { cookie })
    expect((await asMember.get('/api/v1/connections')).statusCode).toBe(200)
    expect((await asMember.get(`/api/v1/connections/${id as string}/runs`)).statusCode).toBe(200)
    for (const res of [
      await asMember.post('/api/v1/connections', stripeBody(source)),
      await asMember.patch(`/api/v1/connections/${id as string}`, { paused: true }),
      await asMember.post(`/api/v1/connections/${id as string}/sync`, {}),
      await asMember.delete(`/api/v1/connections/${id as string}`),
    ]) {
      expect(res.statusCode).toBe(403)
    }
  })

  it("hides another organisation's connections", async () => {
    const { source, api } = await orgWithSource()
    const { id } = json(await api.post('/api/v1/connections', stripeBody(source)))
    const other = client(app, (await newOrg(store)).key)
    expect((await other.get(`/api/v1/connections/${id as string}`)).statusCode).toBe(404)
    expect((await other.delete(`/api/v1/connections/${id as string}`)).statusCode).toBe(404)
    expect((await other.post(`/api/v1/connections/${id as string}/sync`, {})).statusCode).toBe(404)
  })
})

describe('a connection', () => {
  it('pauses and resumes; a paused one does not sync', async () => {
    const { source, api } = await orgWithSource()
    const { id } = json(await api.post('/api/v1/connections', stripeBody(source)))
    const paused = json(await api.patch(`/api/v1/connections/${id as string}`, { paused: true }))
    expect(paused).toMatchObject({ status: 'paused', nextSyncAt: null })
    const refused = await api.post(`/api/v1/connections/${id as string}/sync`, {})
    expect(json(refused).error).toMatchObject({
      code: 'conflict',
      message: 'This connection is paused: resume it before syncing.',
    })
    const resumed = json(await api.patch(`/api/v1/connections/${id as string}`, { paused: false }))
    expect(resumed.status).toBe('active')
    expect(resumed.nextSyncAt).not.toBeNull()
  })

  it('reconnects with new credentials only once the system accepts them', async () => {
    const { org, source, api } = await orgWithSource()
    const { id } = json(await api.post('/api/v1/connections', stripeBody(source)))
    await store.db
      .update(connections)
      .set({ status: 'needs_reconnection', statusMessage: 'refused' })
      .where(eq(connections.id, id))
    const wrong = await api.patch(`/api/v1/connections/${id as string}`, {
      secrets: { apiKey: 'sk_still_wrong' },
    })
    expect(wrong.statusCode).toBe(400)
    expect(json(await api.get(`/api/v1/connections/${id as string}`)).status).toBe(
      'needs_reconnection',
    )
    expect(
      json(await api.patch(`/api/v1/connections/${id as string}`, { paused: false })).error.message,
    ).toContain('needs to be reconnected')
    source.validKeys.add('sk_new')
    const fixed = await api.patch(`/api/v1/connections/${id as string}`, {
      secrets: { apiKey: 'sk_new' },
    })
    expect(json(fixed)).toMatchObject({ status: 'active', statusMessage: null })
    const [row] = await store.db.select().from(connections).where(eq(connections.id, id))
    const plain = JSON.parse(
      await kit.vault.decrypt(row?.credentials ?? '', `${org.id}/${id as string}`),
    )
    // The secrets not given stay.
    expect(plain).toEqual({ apiKey: 'sk_new', webhookSecret: 'whsec_also-secret' })
  })

  it('syncs now: answers the queued run, joins one already waiting, and lists runs newest first', async () => {
    const { org, source, connection, api } = await kit.connected({ customers: [customer('c1')] })
    const first = await kit.runQueued(org, connection.id)
    const now = await api.post(`/api/v1/connections/${connection.id}/sync`, {})
    expect(now.statusCode).toBe(202)
    expect(json(now)).toMatchObject({ status: 'queued', mode: 'incremental', trigger: 'manual' })
    const again = json(await api.post(`/api/v1/connections/${connection.id}/sync`, { full: true }))
    expect(again).toMatchObject({ id: json(now).id, mode: 'full' })
    const noBody = await app.inject({
      method: 'POST',
      url: `/api/v1/connections/${connection.id}/sync`,
      headers: { authorization: `Bearer ${org.key}` },
    })
    expect(json(noBody).id).toBe(json(now).id)
    source.put(customer('c2'))
    await kit.runQueued(org, connection.id)
    const page1 = json(await api.get(`/api/v1/connections/${connection.id}/runs?limit=1`))
    expect(page1.data).toMatchObject([{ id: json(now).id, status: 'completed', mode: 'full' }])
    const page2 = json(
      await api.get(
        `/api/v1/connections/${connection.id}/runs?limit=1&cursor=${page1.nextCursor as string}`,
      ),
    )
    expect(page2).toMatchObject({
      data: [{ id: first?.id, counts: { created: 1 } }],
      nextCursor: null,
    })
    expect(json(await api.get(`/api/v1/connections/${connection.id}`)).lastRun.id).toBe(
      json(now).id,
    )
  })

  it('removed: what it brought stays, Roster-owned; its runs go; Roster becomes the contact source', async () => {
    const { org, connection, api } = await kit.connected({
      customers: [customer('c1', { contacts: [contact('k', 'k@c1.example', { isMain: true })] })],
    })
    await kit.runQueued(org, connection.id)
    expect((await api.delete(`/api/v1/connections/${connection.id}`)).statusCode).toBe(204)
    const kept = await customerByExternalId(api, 'c1')
    expect(kept).toMatchObject({ source: 'roster', name: 'Customer c1' })
    expect(kept.contacts).toMatchObject([{ email: 'k@c1.example', source: 'roster' }])
    expect(
      (await api.patch(`/api/v1/customers/${kept.id as string}`, { name: 'Mine' })).statusCode,
    ).toBe(200)
    expect(json(await api.get('/api/v1/organization/contact-source'))).toMatchObject({
      source: 'roster',
      connection: null,
      contactsDisconnected: null,
    })
    const runs = await store.db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.organizationId, org.id), eq(syncRuns.connectionId, connection.id)))
    expect(runs).toEqual([])
    const [row] = await store.db.select().from(customers).where(eq(customers.id, kept.id))
    expect(row?.sourceConnectionId).toBeNull()
    expect((await api.get(`/api/v1/connections/${connection.id}`)).statusCode).toBe(404)
  })
})
