import { createHmac } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { listNotifications } from '../../src/modules/notifications/notifications.service.ts'
import { openCredentials } from '../../src/modules/sources/connections.service.ts'
import { xeroConnector } from '../../src/modules/sources/connectors/xero/index.ts'
import { mapXeroContact } from '../../src/modules/sources/connectors/xero/map.ts'
import { oauthConsents } from '../../src/platform/db/schema/index.ts'
import { XeroFake } from '../fakes/xero/fake-server.ts'
import { listedCustomers, synced, track } from '../sources/fakes.ts'
import { syncKit } from '../sources/helpers.ts'
import { client, json, newMember, newOrg } from '../support.ts'
import { connectorConformance, withFake } from './conformance.ts'
import { heldSecrets, list, people, record, xeroSpec, xeroSync } from './specs/xero.ts'
import { sourceError, webhookVerifier } from './support.ts'
import { connector, syncConformance, syncEnvironment } from './sync-conformance.ts'

connectorConformance(xeroSpec)

// The real Xero connector (official SDK for the accounting API) through the engine.
const env = await syncEnvironment()
syncConformance(xeroSync, env)

const { store, app, queue, kit } = env
const { connected, syncNow } = connector(xeroSync, env)

/** The path and query a redirect sends the browser to, as the app receives it. */
const pathOf = (url: URL | string): string => {
  const parsed = new URL(url, 'http://roster.test')
  return `${parsed.pathname}${parsed.search}`
}

/** Starts a consent through the API, answers it at the fake's page, and follows the callback. */
async function consentThrough(
  api: ReturnType<typeof client>,
  fake: XeroFake,
  choice: 'allow' | 'deny',
  body: Record<string, unknown> = {},
) {
  const started = await api.post('/api/v1/connections/consent', {
    system: 'xero',
    settings: { baseUrl: fake.url },
    secrets: { clientId: fake.clientId, clientSecret: fake.clientSecret },
    ...body,
  })
  expect(started.statusCode, started.body).toBe(200)
  const authorizeUrl = new URL(json(started).authorizeUrl as string)
  const back = await fake.consent(authorizeUrl.toString(), choice)
  const callback = await app.inject({ method: 'GET', url: pathOf(back) })
  expect(callback.statusCode).toBe(303)
  const location = new URL(String(callback.headers.location), 'http://roster.test')
  return { authorizeUrl, back, callback, location, params: location.searchParams }
}

async function storedSecrets(org: { id: string }, id: string, k = kit) {
  const row = await k.connectionRow(org as never, id)
  return (await openCredentials(k.deps, row)).secrets as Record<string, unknown>
}

describe('connecting Xero by consent', () => {
  it('sends the admin to Xero’s consent page with state and PKCE, then creates the connection and queues its first full sync', async () => {
    const fake = track(await XeroFake.start())
    xeroSync.acme(fake)
    const org = await newOrg(store)
    const api = client(app, org.key)
    const { authorizeUrl, back, location, params } = await consentThrough(api, fake, 'allow', {
      secrets: { clientId: fake.clientId, clientSecret: fake.clientSecret, webhookKey: 'wk' },
    })
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(
      `${fake.url}/identity/connect/authorize`,
    )
    const asked = authorizeUrl.searchParams
    expect(asked.get('response_type')).toBe('code')
    expect(asked.get('client_id')).toBe(fake.clientId)
    expect(asked.get('scope')).toBe('offline_access accounting.contacts.read')
    expect(asked.get('code_challenge_method')).toBe('S256')
    expect(asked.get('code_challenge')).toMatch(/^[\w-]{43}$/)
    expect(asked.get('state')?.length).toBeGreaterThanOrEqual(40)
    expect(new URL(asked.get('redirect_uri') ?? '').pathname).toBe('/oauth/callback/xero')
    expect(back.searchParams.get('state')).toBe(asked.get('state'))
    // The client secret and the verifier never leave Roster.
    expect(authorizeUrl.toString()).not.toContain(fake.clientSecret)

    expect(location.pathname).toBe('/settings/integrations')
    expect(params.get('consent')).toBe('connected')
    const id = params.get('connection') ?? ''
    const shown = json(await api.get(`/api/v1/connections/${id}`))
    expect(shown).toMatchObject({
      system: 'xero',
      name: 'Xero',
      status: 'active',
      settings: { tenantId: fake.tenantId, baseUrl: fake.url },
      isContactSource: true,
      lastRun: { mode: 'full', status: 'queued' },
    })
    expect(JSON.stringify(shown)).not.toContain(fake.clientSecret)
    const secrets = await storedSecrets(org, id)
    expect(secrets).toMatchObject({ clientId: fake.clientId, webhookKey: 'wk' })
    // The check refreshed nothing (the token was new); the stored one is Xero's current one.
    expect(fake.refreshTokenOf(String(secrets.accessToken))).toBe(secrets.refreshToken)
    // The exchange proved the PKCE verifier.
    const exchange = fake.requests.find((r) => r.path === '/connect/token')
    expect(new URLSearchParams(exchange?.body).get('code_verifier')).toMatch(/^[\w-]{64}$/)

    expect(await kit.runQueued(org, id)).toMatchObject({ status: 'completed', created: 1 })
    expect(people(await synced(api, 'C-ACME'))).toEqual([
      ['marie@acme.example', true],
      ['ap@acme.example', false],
    ])
  })

  it('says so in the web app when the admin cancels at Xero, and creates nothing', async () => {
    const fake = track(await XeroFake.start())
    const org = await newOrg(store)
    const api = client(app, org.key)
    const { back, params } = await consentThrough(api, fake, 'deny')
    expect(back.searchParams.get('error')).toBe('access_denied')
    expect(params.get('consent')).toBe('error')
    expect(params.get('message')).toBe('Access to Xero was not allowed, so nothing was connected.')
    expect(json(await api.get('/api/v1/connections')).data).toEqual([])
  })

  it('refuses an unknown, a replayed and an expired state', async () => {
    const fake = track(await XeroFake.start())
    const org = await newOrg(store)
    const api = client(app, org.key)
    const refused = async (url: string) => {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode).toBe(303)
      const params = new URL(String(res.headers.location), 'http://r.test').searchParams
      expect(params.get('consent')).toBe('error')
      expect(params.get('message')).toContain('does not match a connection under way')
    }
    await refused('/oauth/callback/xero?code=abc&state=made-up')
    await refused('/oauth/callback/xero?code=abc')

    const { back, params } = await consentThrough(api, fake, 'allow')
    expect(params.get('consent')).toBe('connected')
    await refused(pathOf(back))
    expect(json(await api.get('/api/v1/connections')).data).toHaveLength(1)

    const started = await api.post('/api/v1/connections/consent', {
      system: 'xero',
      settings: { baseUrl: fake.url },
      secrets: { clientId: fake.clientId, clientSecret: fake.clientSecret },
    })
    const late = await fake.consent(json(started).authorizeUrl as string, 'allow')
    await store.db
      .update(oauthConsents)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthConsents.organizationId, org.id))
    await refused(pathOf(late))
    // A state is good for its own system only.
    expect(json(await api.get('/api/v1/connections')).data).toHaveLength(1)
  })

  it('refuses to start without the app’s client, or for a system connected by key', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    const noSecret = await api.post('/api/v1/connections/consent', {
      system: 'xero',
      secrets: { clientId: 'abc' },
    })
    expect(noSecret.statusCode).toBe(400)
    expect(json(noSecret).error).toMatchObject({
      message: 'Enter the client secret of your Xero app.',
      details: [{ path: 'secrets.clientSecret' }],
    })
    const stripe = await api.post('/api/v1/connections/consent', {
      system: 'stripe',
      secrets: { clientId: 'a', clientSecret: 'b' },
    })
    expect(stripe.statusCode).toBe(400)
    expect(json(stripe).error.message).toContain('not by consent')
  })

  it('asks which organisation when the access reaches several, then connects that one', async () => {
    const fake = track(await XeroFake.start({ tenants: ['Demo Company (UK)', 'Acme Holdings'] }))
    const [, holdings] = fake.tenants
    fake.createContact({ Name: 'In the demo company', EmailAddress: 'a@demo.example' })
    fake.createContact(
      { Name: 'Holdings customer', AccountNumber: 'H-1', EmailAddress: 'ap@holdings.example' },
      holdings?.tenantId,
    )
    const org = await newOrg(store)
    const api = client(app, org.key)
    const { params } = await consentThrough(api, fake, 'allow')
    expect(params.get('consent')).toBe('choose')
    const consentId = params.get('id') ?? ''
    expect(json(await api.get('/api/v1/connections')).data).toEqual([])
    const choice = json(await api.get(`/api/v1/connections/consent/${consentId}/tenants`))
    expect(choice).toEqual({
      id: consentId,
      system: 'xero',
      tenants: fake.tenants.map((t) => ({ id: t.tenantId, name: t.tenantName })),
    })
    const wrong = await api.post(`/api/v1/connections/consent/${consentId}/tenant`, {
      tenantId: 'someone-else',
    })
    expect(wrong.statusCode).toBe(400)
    // Another organisation cannot see or use it.
    const other = client(app, (await newOrg(store)).key)
    expect((await other.get(`/api/v1/connections/consent/${consentId}/tenants`)).statusCode).toBe(
      404,
    )

    const picked = await api.post(`/api/v1/connections/consent/${consentId}/tenant`, {
      tenantId: holdings?.tenantId,
    })
    expect(picked.statusCode, picked.body).toBe(201)
    const created = json(picked)
    expect(created.settings).toEqual({ tenantId: holdings?.tenantId, baseUrl: fake.url })
    const again = await api.post(`/api/v1/connections/consent/${consentId}/tenant`, {
      tenantId: holdings?.tenantId,
    })
    expect(again.statusCode).toBe(404)
    expect(await kit.runQueued(org, created.id)).toMatchObject({ status: 'completed', created: 1 })
    expect((await listedCustomers(api)).map((c) => c.name)).toEqual(['Holdings customer'])
  })

  it('reconnects a connection that needs it by consent again, keeping its client and organisation', async () => {
    const setup = await connected((fake) => {
      xeroSync.acme(fake)
    })
    const { fake, api, org } = setup
    fake.revokeKey()
    expect(await syncNow(setup)).toMatchObject({ status: 'failed' })
    expect(json(await api.get(`/api/v1/connections/${setup.id}`)).status).toBe('needs_reconnection')
    const started = await api.post('/api/v1/connections/consent', {
      system: 'xero',
      connectionId: setup.id,
    })
    expect(started.statusCode, started.body).toBe(200)
    const back = await fake.consent(json(started).authorizeUrl as string, 'allow')
    const res = await app.inject({ method: 'GET', url: pathOf(back) })
    const params = new URL(String(res.headers.location), 'http://r.test').searchParams
    expect([params.get('consent'), params.get('connection')]).toEqual(['connected', setup.id])
    expect(json(await api.get('/api/v1/connections')).data).toMatchObject([
      { id: setup.id, status: 'active', statusMessage: null },
    ])
    fake.createContact({ Name: 'After', EmailAddress: 'after@x.example' })
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', created: 1 })
    expect((await storedSecrets(org, setup.id)).webhookKey).toBe(fake.webhookKey)
  })
})

describe('Xero tokens', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('stores each rotated refresh token at once: a new engine instance reads it after a restart', async () => {
    const setup = await connected((fake) => {
      xeroSync.acme(fake)
    })
    const { fake, org } = setup
    const first = await storedSecrets(org, setup.id)
    fake.expireTokens()
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31 * 60_000 })
    fake.createContact({ Name: 'Bolt', EmailAddress: 'ap@bolt.example' })
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', created: 1 })
    const second = await storedSecrets(org, setup.id)
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect(fake.usedRefreshTokens.has(String(first.refreshToken))).toBe(true)

    // A restart: another engine, another vault instance, the same store.
    const restarted = syncKit(store, queue, app)
    fake.expireTokens()
    vi.setSystemTime(Date.now() + 31 * 60_000)
    fake.createContact({ Name: 'Cactus', EmailAddress: 'ap@cactus.example' })
    await api(setup).post(`/api/v1/connections/${setup.id}/sync`, {})
    expect(await restarted.runQueued(org, setup.id)).toMatchObject({
      status: 'completed',
      created: 1,
    })
    const third = await storedSecrets(org, setup.id, restarted)
    expect(fake.refreshTokenOf(String(third.accessToken))).toBe(third.refreshToken)
    expect(third.refreshToken).not.toBe(second.refreshToken)
  })

  it('refreshes mid-run when the access token runs out during a long sync, storing the new one before it is used', async () => {
    const setup = await connected()
    const { fake, org } = setup
    for (let n = 0; n < 250; n++) {
      fake.createContact({ Name: `C${n}`, EmailAddress: `c${n}@x.example` })
    }
    const before = fake.requests.filter((r) => r.path === '/connect/token').length
    await api(setup).post(`/api/v1/connections/${setup.id}/sync`, { full: true })
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
    const run = await kit.runQueued(org, setup.id, {
      afterPage: async (pages) => {
        if (pages !== 1) return
        // Half an hour into the run.
        fake.expireTokens()
        vi.setSystemTime(Date.now() + 31 * 60_000)
        expect((await storedSecrets(org, setup.id)).refreshToken).toBeDefined()
      },
    })
    expect(run).toMatchObject({ status: 'completed', pages: 3, created: 250 })
    expect(fake.requests.filter((r) => r.path === '/connect/token')).toHaveLength(before + 1)
    const stored = await storedSecrets(org, setup.id)
    expect(fake.refreshTokenOf(String(stored.accessToken))).toBe(stored.refreshToken)
  })

  it('a refused refresh token (invalid_grant) stops the connection and tells the admins', async () => {
    const setup = await connected((fake) => {
      xeroSync.acme(fake)
    })
    const { fake, org, api: client_ } = setup
    const admin = await newMember(store, org, 'admin')
    // Roster's refresh token is refused from now on (the app was disconnected at Xero).
    fake.revokeKey()
    fake.expireTokens()
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31 * 60_000 })
    const failed = await syncNow(setup)
    expect(failed).toMatchObject({ status: 'failed' })
    expect(failed?.error).toBe(
      "Xero refused Roster's credentials (invalid_grant). Reconnect the connection with valid credentials.",
    )
    expect(json(await client_.get(`/api/v1/connections/${setup.id}`))).toMatchObject({
      status: 'needs_reconnection',
    })
    const inbox = await listNotifications(store.db, org.id, admin.id, { limit: 10 })
    expect(inbox.data).toMatchObject([
      { kind: 'connection_needs_reconnection', subject: { connectionId: setup.id } },
    ])
  })

  it('checks the PKCE verifier at the code exchange', async () => {
    const fake = track(await XeroFake.start())
    const settings = { baseUrl: fake.url }
    const consent = xeroConnector.consent
    if (!consent) throw new Error('Xero has a consent flow')
    const redirectUri = 'http://roster.test/oauth/callback/xero'
    const url = await consent.authorizeUrl({
      settings,
      clientId: fake.clientId,
      redirectUri,
      state: 's',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    })
    const back = await fake.consent(url, 'allow')
    const error = await sourceError(
      consent.complete({
        settings,
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        redirectUri,
        codeVerifier: 'not-the-verifier-of-that-challenge',
        query: Object.fromEntries(back.searchParams),
      }),
      'auth_revoked',
    )
    expect(error.message).toBe('invalid_grant')
  })
})

function api(setup: { api: ReturnType<typeof client> }) {
  return setup.api
}

describe('the Xero connector on what only Xero does', () => {
  const { fake, secrets, full } = withFake(xeroSpec)
  const settings = () => xeroSpec.settings(fake())

  it('lists only customers, archived and erased ones as archived in a changes run', async () => {
    fake().createContact({ Name: 'Supplier', EmailAddress: 's@x.example', IsCustomer: false })
    fake().createContact({ Name: 'Customer', EmailAddress: 'c@x.example' })
    const pages = await full()
    expect(pages.flatMap((p) => p.customers.map((c) => c.name))).toEqual(['Customer'])
    expect(pages.flatMap((p) => p.skipped)).toEqual([])
  })

  it('names the limit Xero says was hit when it answers 429', async () => {
    fake().createContact({ Name: 'Customer' })
    fake().failNext(1, { status: 429, retryAfter: 60 })
    const error = await sourceError(full(), 'rate_limited')
    expect(error.message).toBe('too many requests (minute limit)')
    expect(error.retryAfterMs).toBe(60_000)
  })

  it('refuses a call without xero-tenant-id, or for an organisation the token does not reach', async () => {
    fake().createContact({ Name: 'Customer' })
    const error = await sourceError(
      xeroConnector.check({ ...settings(), tenantId: 'another-org' }, secrets()),
      'auth_revoked',
    )
    expect(error.message).toBe('AuthorizationUnsuccessful')
  })

  it('finds the organisation when the token reaches only one, and says to choose when several', async () => {
    fake().createContact({ Name: 'Customer' })
    await xeroConnector.check({ baseUrl: fake().url }, secrets())
    expect(fake().requests.map((r) => r.path)).toEqual(['/connections', '/api.xro/2.0/Contacts'])
    const two = track(await XeroFake.start({ tenants: ['One', 'Two'] }))
    const error = await sourceError(
      xeroConnector.check({ baseUrl: two.url }, heldSecrets(two)),
      'bad_data',
    )
    expect(error.message).toContain('reaches 2 organisations')
  })

  it('reports a contact that cannot be read and goes on with the others', async () => {
    fake().createContact({ Name: 'Fine', EmailAddress: 'fine@x.example' })
    fake().putRawContact({ ContactID: 'odd', IsCustomer: true, Name: 42, ContactStatus: 'ACTIVE' })
    const [page] = await full()
    expect(page?.customers.map((c) => c.name)).toEqual(['Fine'])
    expect(page?.skipped).toEqual([{ externalId: 'odd', reason: expect.stringContaining('Name') }])
  })

  it('answers the intent-to-receive probe: a signed empty batch is proven but changes nothing', () => {
    const body = Buffer.from(fake().webhookBody([]))
    const sign = (key: string) => createHmac('sha256', key).update(body).digest('base64')
    const verify = (signature: string) =>
      webhookVerifier(xeroConnector)(
        { headers: { 'x-xero-signature': signature }, rawBody: body },
        settings(),
        secrets(),
      )
    expect(verify(sign(fake().webhookKey))).toEqual({ changes: false })
    expect(() => verify(sign('wrong'))).toThrow('does not match')
    const other = Buffer.from(fake().webhookBody(['x'], 'another-tenant'))
    expect(
      webhookVerifier(xeroConnector)(
        {
          headers: {
            'x-xero-signature': createHmac('sha256', fake().webhookKey)
              .update(other)
              .digest('base64'),
          },
          rawBody: other,
        },
        settings(),
        secrets(),
      ),
    ).toEqual({ changes: false })
  })
})

describe('Xero webhooks at Roster’s endpoint', () => {
  it('answers a signed probe 200 with no body and queues nothing; a wrong signature 401', async () => {
    const setup = await connected()
    const { fake, org } = setup
    const url = `${env.base}/webhooks/xero/${setup.id}`
    const runs = await kit.runs(org, setup.id)
    expect(await fake.sendIntentToReceive(url, true)).toEqual({ status: 200, body: '' })
    expect((await fake.sendIntentToReceive(url, false)).status).toBe(401)
    expect(await kit.runs(org, setup.id)).toEqual(runs)
    const [row] = await store.db
      .select()
      .from(oauthConsents)
      .where(and(eq(oauthConsents.organizationId, org.id)))
    expect(row).toBeUndefined()
  })
})

describe('mapping a Xero contact', () => {
  const acme = mapXeroContact(record('717f2bfc-c6d4-41fd-b238-3f2f0c0cf777'))

  it('takes the Customer ID from AccountNumber, the VAT number, the POBOX address and currency', () => {
    expect(acme.customer).toMatchObject({
      externalId: 'C-00042',
      name: 'Acme Industries Ltd',
      vatNumber: 'GB123456789',
      address: '1 High Street, Floor 2',
      postalCode: 'EC1A 1AA',
      city: 'London',
      country: 'GB',
      currency: 'GBP',
      archived: false,
    })
  })

  it('makes the contact’s own person the main contact, with its DEFAULT phone', () => {
    expect(acme.customer?.contacts[0]).toEqual({
      externalId: '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777',
      email: 'accounts@acme-industries.example',
      firstName: 'Marie',
      lastName: 'Dubois',
      phone: '+44 020 7946 0000',
      role: null,
      isMain: true,
    })
  })

  it('adds each contact person, merges one with the main email, leaves out those without a valid email', () => {
    expect(acme.customer?.contacts.map((c) => [c.email, c.isMain])).toEqual([
      ['accounts@acme-industries.example', true],
      ['paul.martin@acme-industries.example', false],
    ])
    expect(acme.customer?.contacts[1]?.externalId).toBe(
      '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777/paul.martin@acme-industries.example',
    )
    expect(acme.skipped).toEqual([
      {
        externalId: '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777',
        reason: expect.stringContaining('"typo.person@@acme"'),
      },
    ])
  })

  it('takes ContactNumber when there is no AccountNumber, and promotes the person who receives emails', () => {
    const { customer } = mapXeroContact(record('0b7c3d44-1f2a-4e55-9a61-7d8e9f001122'))
    expect(customer).toMatchObject({
      externalId: 'CUST-0043',
      country: 'DE',
      address: 'Hauptstraße 5, Berlin',
      currency: 'EUR',
    })
    expect(customer?.contacts.map((c) => [c.email, c.isMain, c.phone])).toEqual([
      ['ap@bolt.example', true, '+49 1512 3456789'],
      ['jonas@bolt.example', false, null],
    ])
  })

  it('leaves out a supplier that is not a customer, without reporting it', () => {
    expect(mapXeroContact(record('5e6f7a8b-0000-4c1d-8e2f-334455667788'))).toEqual({
      customer: null,
      skipped: [],
    })
  })

  it('archives an ARCHIVED contact with its people, and a GDPRREQUEST one without them', () => {
    const archived = mapXeroContact(record('9a8b7c6d-1111-4e2f-9a3b-445566778899')).customer
    expect(archived).toMatchObject({ externalId: 'C-00077', archived: true, erased: false })
    expect(archived?.contacts).toHaveLength(2)
    const erased = mapXeroContact(record('1c2d3e4f-2222-4a5b-8c6d-556677889900')).customer
    expect(erased).toMatchObject({ archived: true, erased: true, contacts: [] })
  })

  it('skips a record without ContactID, saying why', () => {
    expect(mapXeroContact(list.Contacts[5])).toEqual({
      customer: null,
      skipped: [{ externalId: null, reason: expect.stringContaining('ContactID') }],
    })
  })
})
