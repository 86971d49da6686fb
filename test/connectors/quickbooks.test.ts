import { execFile } from 'node:child_process'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { listNotifications } from '../../src/modules/notifications/notifications.service.ts'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import { createOrganization } from '../../src/modules/organizations/organizations.service.ts'
import { quickbooksConnector } from '../../src/modules/sources/connectors/quickbooks/index.ts'
import {
  mapQuickBooksCustomer,
  splitAddresses,
} from '../../src/modules/sources/connectors/quickbooks/map.ts'
import type { QuickBooksSecrets } from '../../src/modules/sources/connectors/quickbooks/schemas.ts'
import { QuickBooksFake } from '../fakes/quickbooks/fake-server.ts'
import { listedCustomers, synced, track } from '../sources/fakes.ts'
import { syncKit } from '../sources/helpers.ts'
import { isolatedStore } from '../sources/isolated.ts'
import { client, json, newMember, newOrg, testApp } from '../support.ts'
import { connectorConformance, withFake } from './conformance.ts'
import { fixture, sourceError, webhookReceiver, webhookVerifier } from './support.ts'
import { connector, syncConformance, syncEnvironment } from './sync-conformance.ts'
import {
  acme,
  people,
  queryCalls,
  quickbooksSpec,
  quickbooksSync,
  tokenCalls,
} from './specs/quickbooks.ts'

vi.setConfig({ testTimeout: 60_000 })

connectorConformance(quickbooksSpec)

// The real QuickBooks connector (intuit-oauth and its query client) through the engine.
const env = await syncEnvironment()
syncConformance(quickbooksSync, env)

const query = await fixture('quickbooks', 'customers-query')
const record = (id: string) => query.QueryResponse.Customer.find((c: any) => c.Id === id)

describe('QuickBooks’s contact rule through the engine', () => {
  const { connected } = connector(quickbooksSync, env)

  it('makes each address of the email field a contact, the first the main one; sub-customers join their parent’s group; inactive and malformed records are left out', async () => {
    let ids: Record<string, string> = {}
    const setup = await connected((fake) => {
      // A sub-customer listed before its parent: the parent comes on the second page.
      fake.createCustomer({
        Id: '5',
        DisplayName: 'Acme West',
        ParentRef: { value: '900' },
        PrimaryEmailAddr: {
          Address: 'west@acme.example;  Billing@Acme.example ; west@ACME.example',
        },
        Mobile: { FreeFormNumber: '06 11 22 33 44' },
      })
      ids = {
        acme: acme(fake),
        cactus: String(fake.createCustomer({ DisplayName: 'Cactus Supply' }).Id),
        typo: String(
          fake.createCustomer({
            DisplayName: 'Ines Garcia',
            PrimaryEmailAddr: { Address: 'ines.garcia@@example, ines@garcia.example' },
          }).Id,
        ),
        gone: String(fake.createCustomer({ DisplayName: 'Gone Ltd' }).Id),
      }
      fake.deleteCustomer(ids.gone ?? '')
      fake.putRawCustomer({ Id: '77', DisplayName: 42, Active: true, SyncToken: '0' })
      for (let n = 0; n < 120; n++) fake.createCustomer({ DisplayName: `Filler ${n}` })
      fake.createCustomer({
        Id: '900',
        DisplayName: 'Acme Holding',
        PrimaryEmailAddr: { Address: 'ceo@acme-holding.example' },
      })
    })
    const { api, first, fake } = setup
    expect(first).toMatchObject({ pages: 2, created: 125, skipped: 2 })
    const runs = json(await api.get(`/api/v1/connections/${setup.id}/runs`)).data
    expect(runs[0].errors).toEqual([
      {
        externalId: ids.typo,
        reason: `"ines.garcia@@example" in the email of QuickBooks customer ${ids.typo ?? ''} is not a valid address: it was left out of the contacts.`,
      },
      {
        externalId: '77',
        reason:
          'QuickBooks customer 77 could not be read (DisplayName: Invalid input: expected string, received number); fix it in QuickBooks.',
      },
    ])
    const company = await synced(api, ids.acme ?? '')
    expect(company).toMatchObject({
      name: 'Acme Industries SAS',
      address: '12 rue des Lilas',
      postalCode: '75011',
      city: 'Paris',
      country: 'FR',
      currency: 'EUR',
      source: 'quickbooks',
      group: null,
    })
    expect(company.contacts).toMatchObject([
      {
        email: 'marie.dubois@acme.example',
        firstName: 'Marie',
        lastName: 'Dubois',
        phone: '+33184801234',
        isMain: true,
        source: 'quickbooks',
      },
      { email: 'ap@acme.example', firstName: null, phone: null, isMain: false },
    ])
    const west = await synced(api, '5')
    expect(people(west)).toEqual([
      ['west@acme.example', true, null],
      ['Billing@Acme.example', false, null],
    ])
    expect(west.contacts[0].phone).toBe('+33611223344')
    expect(west.group).toMatchObject({ name: 'Acme Holding', externalId: '900' })
    expect((await synced(api, ids.cactus ?? '')).contacts).toEqual([])
    expect(people(await synced(api, ids.typo ?? ''))).toEqual([['ines@garcia.example', true, null]])
    expect(await synced(api, ids.gone ?? '')).toBeUndefined()
    expect(await synced(api, '77')).toBeUndefined()

    // Leaving the parent at QuickBooks takes the customer out of the group.
    fake.advance(60)
    const { ParentRef: _dropped, ...rest } = fake.customers.get('5') ?? {}
    fake.customers.set('5', rest)
    fake.updateCustomer('5', { Job: false })
    expect(await connector(quickbooksSync, env).syncNow(setup)).toMatchObject({ updated: 1 })
    expect((await synced(api, '5')).group).toBeNull()
  })

  it('keeps the refresh token Intuit rotates on each refresh, so syncs go on after a restart; a refused refresh token stops the connection and tells the admins', async () => {
    // Access tokens shorter than Roster's margin: every run refreshes, and each refresh spends
    // the refresh token it used.
    const fake = track(await QuickBooksFake.start({ accessTokenSeconds: 300 }))
    let acmeId = ''
    const setup = await connected((f) => {
      acmeId = acme(f)
    }, fake)
    const { org, api } = setup
    const admin = await newMember(env.store, org, 'admin')
    const row = await env.kit.connectionRow(org, setup.id)
    const stored = async (): Promise<QuickBooksSecrets> =>
      JSON.parse(
        await env.kit.vault.decrypt(
          (await env.kit.connectionRow(org, setup.id)).credentials ?? '',
          `${org.id}/${row.id}`,
        ),
      )
    // The check at connecting and the first run each refreshed; the latest token is stored.
    expect(tokenCalls(fake)).toHaveLength(2)
    expect((await stored()).refreshToken).toBe(fake.latestRefreshToken)
    expect(JSON.stringify(json(await api.get(`/api/v1/connections/${setup.id}`)))).not.toContain(
      fake.latestRefreshToken,
    )

    // A new process: nothing held in memory, only what was stored.
    const restarted = syncKit(env.store, env.queue, env.app)
    fake.updateCustomer(acmeId, { GivenName: 'Maria' })
    await api.post(`/api/v1/connections/${setup.id}/sync`, {})
    expect(await restarted.runQueued(org, setup.id)).toMatchObject({
      status: 'completed',
      updated: 1,
    })
    expect(tokenCalls(fake)).toHaveLength(3)
    expect((await stored()).refreshToken).toBe(fake.latestRefreshToken)

    // The company disconnects Roster: the refresh token is refused.
    fake.revokeKey()
    await api.post(`/api/v1/connections/${setup.id}/sync`, {})
    const failed = await restarted.runQueued(org, setup.id)
    const message =
      "QuickBooks refused Roster's credentials (the refresh token was revoked, has expired or was already used (invalid_grant)). Reconnect the connection with valid credentials."
    expect(failed).toMatchObject({ status: 'failed', error: message })
    expect(json(await api.get(`/api/v1/connections/${setup.id}`))).toMatchObject({
      status: 'needs_reconnection',
      statusMessage: message,
    })
    const inbox = await listNotifications(env.store.db, org.id, admin.id, { limit: 10 })
    expect(inbox.data).toMatchObject([
      { kind: 'connection_needs_reconnection', subject: { connectionId: setup.id } },
    ])
  })

  it('refuses a wrong client secret when connecting, saying what is wrong', async () => {
    const fake = track(await QuickBooksFake.start())
    const org = await newOrg(env.store)
    const api = client(env.app, org.key)
    const { settings, secrets } = quickbooksSync.connection(fake)
    const res = await api.post('/api/v1/connections', {
      system: 'quickbooks',
      settings,
      secrets: { ...secrets, clientSecret: 'not-the-secret' },
    })
    expect(res.statusCode).toBe(400)
    expect(json(res).error.message).toBe(
      'QuickBooks refused these credentials (the client id or client secret is wrong (invalid_client)); connect to QuickBooks again.',
    )
    expect(json(await api.get('/api/v1/connections')).data).toEqual([])
  })
})

describe('the QuickBooks connector on what only QuickBooks does', () => {
  const { fake, secrets, full } = withFake(quickbooksSpec)
  const settings = () => quickbooksSpec.settings(fake())

  it('lists inactive customers with the changes, archived, under their name without " (deleted)"', async () => {
    const [id = ''] = quickbooksSpec.seed(fake(), 2)
    const cursor = (await full()).at(-1)?.cursor
    fake().advance(120)
    fake().deleteCustomer(id)
    const pages = quickbooksSpec.connector.list({
      settings: settings(),
      secrets: secrets(),
      cursor,
      mode: 'incremental',
    })
    const got = []
    for await (const page of pages) got.push(...page.customers)
    expect(got).toMatchObject([{ externalId: id, name: 'Company 0', archived: true }])
  })

  it('waits the minute Intuit advises after its throttle answer (500 calls a minute per company)', async () => {
    quickbooksSpec.seed(fake(), 1)
    fake().perMinute = 1
    await full()
    const throttled = await sourceError(full(), 'rate_limited')
    expect(throttled.retryAfterMs).toBe(60_000)
    fake().advance(60)
    expect((await full()).flatMap((p) => p.customers)).toHaveLength(1)
  })

  it('refuses an access token of another company, and an expired one, as revoked', async () => {
    quickbooksSpec.seed(fake(), 1)
    await sourceError(
      quickbooksConnector.check({ ...settings(), realmId: '123' }, secrets()),
      'auth_revoked',
    )
    fake().expireAccessTokens()
    expect((await sourceError(full(), 'auth_revoked')).message).toContain('Token expired')
  })

  it('refreshes when the stored access token belongs to an earlier refresh token', async () => {
    const renewed = { ...secrets(), refreshToken: fake().grant().refreshToken }
    const fresh = await quickbooksConnector.refreshSecrets?.(settings(), renewed)
    expect(fresh?.refreshToken).toBe(fake().latestRefreshToken)
    expect(tokenCalls(fake())).toHaveLength(1)
    // The token it replaced is spent: using it again is refused.
    await sourceError(
      quickbooksConnector.refreshSecrets?.(settings(), {
        ...renewed,
        accessTokenExpiresAt: undefined,
      }) ?? Promise.resolve(),
      'auth_revoked',
    )
  })

  it('accepts webhooks in the CloudEvents shape, signed the same way', async () => {
    fake().createCustomer({ DisplayName: 'Hooked' })
    const verify = (headers: any, rawBody: Buffer) =>
      webhookVerifier(quickbooksConnector)({ headers, rawBody }, settings(), {
        ...secrets(),
        webhookVerifierToken: fake().webhookVerifierToken,
      })
    const receiver = await webhookReceiver(verify)
    try {
      expect((await fake().sendWebhook(receiver.url, { format: 'cloudevents' })).status).toBe(204)
      const refused = await fake().sendWebhook(receiver.url, {
        format: 'cloudevents',
        token: 'wrong',
      })
      expect(refused).toEqual({
        status: 401,
        body: 'The intuit-signature does not match the body.',
      })
    } finally {
      await receiver.close()
    }
  })

  it('skips a customer that cannot be read and goes on with the others', async () => {
    fake().createCustomer({ DisplayName: 'Fine', PrimaryEmailAddr: { Address: 'f@fine.example' } })
    fake().putRawCustomer({ Id: '99', DisplayName: 'Odd', Active: 'yes' })
    const [page] = await full()
    expect(page?.customers.map((c) => c.name)).toEqual(['Fine'])
    expect(page?.skipped).toEqual([{ externalId: '99', reason: expect.stringContaining('Active') }])
    expect(queryCalls(fake())).toHaveLength(1)
  })
})

describe('the QuickBooks consent', () => {
  const { fake } = withFake(quickbooksSpec)
  const consent =
    quickbooksConnector.consent ??
    (() => {
      throw new Error('QuickBooks has a consent flow')
    })()
  const redirectUri = 'https://roster.example/oauth/callback/quickbooks'
  const start = () => ({
    settings: { baseUrl: fake().url },
    clientId: fake().clientId,
    redirectUri,
    state: 'state-123',
    codeChallenge: 'challenge-not-sent',
  })
  /** Opens the consent page and follows Connect or Cancel: the redirect's query. */
  async function consentAnswer(choice: 'allow' | 'deny') {
    const page = await fetch(await consent.authorizeUrl(start()))
    expect(page.status).toBe(200)
    const html = await page.text()
    const href = new RegExp(`id="${choice}" href="([^"]+)"`).exec(html)?.[1] ?? ''
    const decided = await fetch(new URL(href.replace(/&amp;/g, '&'), fake().url), {
      redirect: 'manual',
    })
    expect(decided.status).toBe(302)
    const location = new URL(decided.headers.get('location') ?? '')
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri)
    return Object.fromEntries(location.searchParams)
  }

  it('sends the admin to Intuit’s consent page with the accounting scope and Roster’s state', async () => {
    const url = new URL(await consent.authorizeUrl({ ...start(), settings: {} }))
    expect(`${url.origin}${url.pathname}`).toBe('https://appcenter.intuit.com/connect/oauth2')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: fake().clientId,
      response_type: 'code',
      scope: 'com.intuit.quickbooks.accounting',
      redirect_uri: redirectUri,
      state: 'state-123',
    })
    expect(await consent.authorizeUrl(start())).toMatch(
      new RegExp(`^${fake().url}/connect/oauth2\\?`),
    )
  })

  it('turns an allowed consent into the company and its tokens; the code is good once', async () => {
    const query = await consentAnswer('allow')
    expect(query).toEqual({ state: 'state-123', code: expect.any(String), realmId: fake().realmId })
    const callback = {
      settings: { baseUrl: fake().url },
      clientId: fake().clientId,
      clientSecret: fake().clientSecret,
      redirectUri,
      codeVerifier: 'unused',
      query,
    }
    const outcome = await consent.complete(callback)
    expect(outcome.settings).toEqual({ realmId: fake().realmId, baseUrl: fake().url })
    expect(outcome.secrets).toMatchObject({
      clientId: fake().clientId,
      clientSecret: fake().clientSecret,
      refreshToken: fake().latestRefreshToken,
    })
    const [exchange] = tokenCalls(fake())
    expect(Object.fromEntries(new URLSearchParams(exchange?.body))).toEqual({
      grant_type: 'authorization_code',
      code: query.code,
      redirect_uri: redirectUri,
    })
    // The tokens work at once: the connector lists with them, no refresh needed.
    expect(await quickbooksConnector.refreshSecrets?.(outcome.settings, outcome.secrets)).toBeNull()
    await quickbooksConnector.check(outcome.settings, outcome.secrets)
    const again = await sourceError(consent.complete(callback), 'auth_revoked')
    expect(again.message).toContain('invalid_grant')
  })

  it('says the connection was not allowed when the admin cancels', async () => {
    const query = await consentAnswer('deny')
    expect(query).toEqual({ state: 'state-123', error: 'access_denied' })
    const refused = await sourceError(
      consent.complete({
        settings: { baseUrl: fake().url },
        clientId: fake().clientId,
        clientSecret: fake().clientSecret,
        redirectUri,
        codeVerifier: 'unused',
        query,
      }),
      'auth_revoked',
    )
    expect(refused.message).toBe('the connection was not allowed')
    expect(tokenCalls(fake())).toEqual([])
  })
})

describe('mapping a QuickBooks customer', () => {
  it('takes the company name, billing address with its state, currency; the first address is the main contact with the person and phone', () => {
    const { customer, skipped } = mapQuickBooksCustomer(record('58'))
    expect(skipped).toEqual([])
    expect(customer).toEqual({
      externalId: '58',
      name: 'Acme Industries Inc.',
      accountingCode: null,
      vatNumber: null,
      address: '500 Market St, Suite 200, CA',
      postalCode: '94105',
      city: 'San Francisco',
      country: 'US',
      currency: 'USD',
      archived: false,
      parentExternalId: null,
      contacts: [
        {
          externalId: 'marie.dubois@acme.example',
          email: 'marie.dubois@acme.example',
          firstName: 'Marie',
          lastName: 'Dubois',
          phone: '(415) 555-0132',
          role: null,
          isMain: true,
        },
        {
          externalId: 'ap@acme.example',
          email: 'ap@acme.example',
          firstName: null,
          lastName: null,
          phone: null,
          role: null,
          isMain: false,
        },
      ],
    })
  })

  it('splits on semicolons and spaces too, once per address whatever its case; a sub-customer names its parent', () => {
    const { customer } = mapQuickBooksCustomer(record('59'))
    expect(customer?.contacts.map((c) => [c.externalId, c.email, c.isMain, c.phone])).toEqual([
      ['west@acme.example', 'west@acme.example', true, '(415) 555-0199'],
      ['billing@acme.example', 'Billing@Acme.example', false, null],
    ])
    expect(customer).toMatchObject({ name: 'Acme West', parentExternalId: '58' })
    expect(splitAddresses(' a@x.example ,, b@x.example;c@x.example  A@X.example ')).toEqual([
      'a@x.example',
      'b@x.example',
      'c@x.example',
    ])
  })

  it('archives an inactive customer, naming it without the " (deleted)" QuickBooks adds', () => {
    expect(mapQuickBooksCustomer(record('61')).customer).toMatchObject({
      name: 'Bolt GmbH',
      archived: true,
      country: 'DE',
      currency: 'EUR',
    })
  })

  it('reports an address that is not valid and keeps the others; no email, no contact', () => {
    const { customer, skipped } = mapQuickBooksCustomer(record('62'))
    expect(customer?.name).toBe('Ines Garcia')
    expect(customer?.contacts.map((c) => [c.email, c.isMain, c.firstName])).toEqual([
      ['ines@garcia.example', true, 'Ines'],
    ])
    expect(skipped).toEqual([
      { externalId: '62', reason: expect.stringContaining('"ines.garcia@@example"') },
    ])
    expect(mapQuickBooksCustomer(record('63')).customer?.contacts).toEqual([])
  })

  it('skips a record without an id, saying why', () => {
    const broken = query.QueryResponse.Customer.at(-1)
    expect(mapQuickBooksCustomer(broken)).toEqual({
      customer: null,
      skipped: [{ externalId: null, reason: expect.stringContaining('Id') }],
    })
  })
})

describe('QuickBooks connection settings', () => {
  it('takes the company id, an environment and an optional base URL; secrets need the app and a refresh token', () => {
    const { settings, secrets } = quickbooksConnector
    expect(settings.parse({ realmId: '9341453012345678' })).toEqual({ realmId: '9341453012345678' })
    expect(settings.safeParse({ realmId: 'acme' }).error?.issues[0]?.message).toContain('number')
    expect(settings.safeParse({ realmId: '1', environment: 'test' }).success).toBe(false)
    expect(settings.safeParse({ realmId: '1', baseUrl: 'http://x.example/v3' }).success).toBe(false)
    expect(secrets.safeParse({ clientId: 'a', clientSecret: 'b' }).success).toBe(false)
    const described = quickbooksConnector.descriptor.secrets.map((f) => [f.key, f.required])
    expect(described).toEqual([
      ['clientId', true],
      ['clientSecret', true],
      ['refreshToken', true],
      ['webhookVerifierToken', false],
    ])
  })
})

const isolated = await isolatedStore()
afterAll(() => isolated.close())

describe('the command line with QuickBooks', () => {
  const bin = new URL('../../bin/roster', import.meta.url).pathname
  const roster = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(bin, args, { env: { ...process.env, ...isolated.env } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      })
    })

  it(
    'connects with --base-url, the app’s secrets and a refresh token, checked before saving; a wrong secret is refused',
    {
      timeout: 240_000,
    },
    async () => {
      const fake = track(await QuickBooksFake.start())
      fake.createCustomer({ DisplayName: 'Acme', PrimaryEmailAddr: { Address: 'a@acme.example' } })
      const org = await createOrganization(isolated.store.db, {
        name: 'CLI QuickBooks',
        country: 'FR',
      })
      const { key } = await createApiKey(isolated.store.db, org.id, { name: 'test' })
      const app = await testApp(isolated.store)
      const api = client(app, key)
      const add = (clientSecret: string) =>
        roster(
          'connection',
          'add',
          '--org',
          org.slug,
          '--system',
          'quickbooks',
          '--base-url',
          fake.url,
          '--secret',
          `clientId=${fake.clientId}`,
          '--secret',
          `clientSecret=${clientSecret}`,
          '--secret',
          `refreshToken=${fake.grant().refreshToken}`,
          '--setting',
          `realmId=${fake.realmId}`,
          '--json',
        )
      const wrong = await add('not-the-secret')
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toContain(
        'QuickBooks refused these credentials (the client id or client secret is wrong (invalid_client))',
      )
      const added = await add(fake.clientSecret)
      expect(added.stderr).toBe('')
      expect(JSON.parse(added.stdout)).toEqual({
        id: expect.any(String),
        system: 'quickbooks',
        name: 'QuickBooks',
        status: 'active',
      })
      const shown = json(await api.get('/api/v1/connections')).data
      expect(shown).toMatchObject([
        { system: 'quickbooks', settings: { realmId: fake.realmId, baseUrl: fake.url } },
      ])
      expect(await listedCustomers(api)).toEqual([])
    },
  )
})

describe('connecting QuickBooks through Roster’s consent routes', () => {
  it('creates the connection for the company the consent names, first full sync queued', async () => {
    const fake = track(await QuickBooksFake.start())
    quickbooksSpec.seed(fake, 2)
    const org = await newOrg(env.store)
    const api = client(env.app, org.key)
    const started = await api.post('/api/v1/connections/consent', {
      system: 'quickbooks',
      settings: { baseUrl: fake.url },
      secrets: { clientId: fake.clientId, clientSecret: fake.clientSecret },
    })
    expect(started.statusCode, started.body).toBe(200)
    const authorizeUrl = new URL(json(started).authorizeUrl as string)
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${fake.url}/connect/oauth2`)

    const page = await fetch(authorizeUrl)
    const href = /id="allow" href="([^"]+)"/.exec(await page.text())?.[1] ?? ''
    const decided = await fetch(new URL(href.replace(/&amp;/g, '&'), fake.url), {
      redirect: 'manual',
    })
    const back = new URL(decided.headers.get('location') ?? '')
    expect(back.pathname).toBe('/oauth/callback/quickbooks')
    const callback = await env.app.inject({ method: 'GET', url: `${back.pathname}${back.search}` })
    expect(callback.statusCode).toBe(303)
    const location = new URL(String(callback.headers.location), 'http://roster.test')
    expect(location.searchParams.get('consent')).toBe('connected')
    const shown = json(
      await api.get(`/api/v1/connections/${location.searchParams.get('connection') ?? ''}`),
    )
    expect(shown).toMatchObject({
      system: 'quickbooks',
      status: 'active',
      settings: { realmId: fake.realmId, baseUrl: fake.url },
      lastRun: { mode: 'full', status: 'queued' },
    })
    // The same callback again: the state was used once.
    const replayed = await env.app.inject({ method: 'GET', url: `${back.pathname}${back.search}` })
    expect(String(replayed.headers.location)).toContain('consent=error')
  })
})
