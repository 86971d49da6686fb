import { execFile } from 'node:child_process'
import { eq } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import { createOrganization } from '../../src/modules/organizations/organizations.service.ts'
import { connections } from '../../src/platform/db/schema/index.ts'
import { tokenClient, zuoraBase } from '../../src/modules/sources/connectors/zuora/client.ts'
import { zuoraConnector } from '../../src/modules/sources/connectors/zuora/index.ts'
import { mapZuoraAccount } from '../../src/modules/sources/connectors/zuora/map.ts'
import type { SourcePage } from '../../src/modules/sources/connectors/types.ts'
import { ZuoraFake } from '../fakes/zuora/fake-server.ts'
import { isolatedStore } from '../sources/isolated.ts'
import { listedCustomers, synced, track } from '../sources/fakes.ts'
import { json } from '../support.ts'
import { connectorConformance } from './conformance.ts'
import {
  accountCalls,
  accountsList,
  acme,
  bolt,
  connectedSecrets,
  contactsList,
  people,
  tokenCalls,
  zuoraSpec,
  zuoraSync,
} from './specs/zuora.ts'
import { connector, syncConformance, syncEnvironment } from './sync-conformance.ts'
import { allPages, sourceError } from './support.ts'

connectorConformance(zuoraSpec)

// The Zuora connector (its own fetch client) through the engine, against the Zuora fake.
const env = await syncEnvironment()
syncConformance(zuoraSync, env)

const [acmeRecord, boltRecord, cactusRecord] = accountsList.data
const acmeContacts = contactsList.data

describe('Zuora’s contact rule through the engine', () => {
  const { connected, syncNow } = connector(zuoraSync, env)

  it('follows every page and applies the rule: Bill To main, Sold To and the others additional, the same person once', async () => {
    const setup = await connected((fake) => {
      acme(fake)
      bolt(fake)
      fake.createAccount({ id: 'cactus', name: 'Cactus Supply' })
      for (let n = 1; n <= 247; n++) {
        fake.createAccount({
          name: `Company ${n}`,
          billTo: { firstName: 'Ann', workEmail: `c${n}@x.example` },
          soldTo: 'billTo',
        })
      }
    })
    const { fake, api, connection, first } = setup
    expect(connection).toMatchObject({
      system: 'zuora',
      status: 'active',
      settings: { baseUrl: fake.url },
      isContactSource: true,
    })
    const shown = JSON.stringify(connection)
    expect(shown).not.toContain(fake.clientSecret)
    expect(shown).not.toContain(fake.calloutPassword)
    expect(first).toMatchObject({ pages: 3, created: 250, updated: 0, archived: 0, skipped: 0 })

    const customers = await listedCustomers(api)
    expect(customers).toHaveLength(250)
    expect(customers.every((c) => c.source === 'zuora')).toBe(true)
    const company = await synced(api, 'acme')
    expect(company).toMatchObject({
      name: 'Acme Industries SAS',
      vatNumber: 'FR40123456824',
      address: '12 rue des Lilas',
      postalCode: '75011',
      city: 'Paris',
      country: 'FR',
      currency: 'EUR',
    })
    // The Sold To is Marie again under another record: merged into the main contact.
    expect(company.contacts).toMatchObject([
      {
        externalId: 'ct_marie',
        email: 'marie@acme.example',
        firstName: 'Marie',
        lastName: 'Dubois',
        phone: '+33184801234',
        isMain: true,
        role: 'ACCOUNTING',
      },
      { externalId: 'ct_ap', email: 'ap@acme.example', firstName: 'Paul', isMain: false },
      { externalId: 'ct_sam', email: 'billing.sam@acme.example', isMain: false },
    ])
    expect(people(await synced(api, 'bolt'))).toEqual([
      ['ct_b1', 'ap@bolt.example', true, 'ACCOUNTING'],
      ['ct_b2', 'owner@bolt.example', false, 'PURCHASER'],
    ])
    const cactus = await synced(api, 'cactus')
    expect(cactus.contacts).toEqual([])
    expect(cactus.mainContact).toBeNull()
  })

  it('skips and reports a malformed record without stopping the run or half-applying a customer', async () => {
    const setup = await connected((fake) => {
      acme(fake)
      fake.createAccount({ id: 'cactus', name: 'Cactus Supply' })
    })
    const { fake, api } = setup
    const before = await synced(api, 'acme')
    // An account without its name, and Acme renamed while one of its contacts is unreadable.
    fake.putRawAccount({ id: 'nameless', status: 'Active', currency: 'EUR', billToId: null })
    fake.updateAccount('acme', { name: 'Acme SA' })
    fake.updateContact('ct_ap', { workEmail: 42 as unknown as string })
    fake.updateAccount('cactus', { name: 'Cactus Supply Co' })
    const run = await syncNow(setup)
    expect(run).toMatchObject({ status: 'completed', updated: 1, created: 0, skipped: 2 })
    const runs = json(await api.get(`/api/v1/connections/${setup.id}/runs`)).data
    expect(runs[0].errors).toEqual([
      {
        externalId: 'acme',
        reason: expect.stringMatching(
          /^Zuora account acme was not synced: its contact ct_ap could not be read \(workEmail: .+\); fix it in Zuora\.$/,
        ),
      },
      {
        externalId: 'nameless',
        reason:
          'Zuora account nameless could not be read (name: Invalid input: expected string, received undefined); fix it in Zuora.',
      },
    ])
    // Nothing of Acme changed, not even the name read with it; Cactus went through.
    const after = await synced(api, 'acme')
    expect(after.name).toBe('Acme Industries SAS')
    expect(after.contacts).toEqual(before.contacts)
    expect((await synced(api, 'cactus')).name).toBe('Cactus Supply Co')
    // Fixed at Zuora: the next run brings it whole.
    fake.advance(5)
    fake.updateContact('ct_ap', { workEmail: 'ap@acme.example', firstName: 'Paula' })
    // The nameless account is not reported again until it changes.
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', updated: 1, skipped: 0 })
    const fixed = await synced(api, 'acme')
    expect(fixed.name).toBe('Acme SA')
    expect(fixed.contacts.map((c: any) => c.firstName)).toEqual(['Marie', 'Paula', 'Sam'])
  })
})

describe('Zuora access tokens', () => {
  const { connected, syncNow } = connector(zuoraSync, env)

  it('replaces a token that ends during a run once, and the run goes on', async () => {
    const fake = track(await ZuoraFake.start())
    zuoraSpec.seed(fake, 250)
    const seen: SourcePage[] = []
    for await (const page of zuoraConnector.list({
      settings: { baseUrl: fake.url },
      secrets: connectedSecrets(fake),
      cursor: null,
      mode: 'full',
    })) {
      seen.push(page)
      // Zuora's hour passes after the first page: the token is refused with 401.
      if (seen.length === 1) fake.expireTokens()
    }
    expect(seen.map((p) => p.customers.length)).toEqual([99, 99, 52])
    expect(tokenCalls(fake)).toHaveLength(1)
    const bearers = accountCalls(fake).map((r) => r.headers.authorization)
    expect(bearers).toHaveLength(4)
    expect(bearers[1]).toBe(bearers[0])
    expect(bearers[2]).not.toBe(bearers[1])
    expect(bearers[3]).toBe(bearers[2])
  })

  it('fails as revoked when the client is refused on renewal during a run', async () => {
    const fake = track(await ZuoraFake.start())
    zuoraSpec.seed(fake, 150)
    const pages = zuoraConnector.list({
      settings: { baseUrl: fake.url },
      secrets: connectedSecrets(fake),
      cursor: null,
      mode: 'full',
    })
    const run = (async () => {
      for await (const page of pages) if (page.customers.length > 0) fake.revokeKey()
    })()
    const error = await sourceError(run, 'auth_revoked')
    expect(error.message).toBe('Bad client credentials')
  })

  it('keeps the token with the connection: runs reuse it (a restart included), and a new one is stored when it nears its end', async () => {
    const setup = await connected((fake) => {
      acme(fake)
    })
    const { fake } = setup
    // The check got the token and it was stored: the first run and the next ones reuse it, as
    // the connector keeps nothing between runs but what Roster stored.
    expect(tokenCalls(fake)).toHaveLength(1)
    const stored = async () => {
      const row = await env.kit.connectionRow(setup.org, setup.id)
      const plain = await env.kit.vault.decrypt(
        row.credentials ?? '',
        `${setup.org.id}/${setup.id}`,
      )
      return JSON.parse(plain)
    }
    const first = await stored()
    expect(first).toMatchObject({
      clientId: fake.clientId,
      accessToken: expect.stringMatching(/^[0-9a-f]{48}$/),
      accessTokenClient: tokenClient({ clientId: fake.clientId, clientSecret: fake.clientSecret }),
    })
    expect(fake.valid(first.accessToken)).toBe(true)
    fake.requests.length = 0
    expect(await syncNow(setup)).toMatchObject({ status: 'completed' })
    expect(tokenCalls(fake)).toEqual([])
    expect(new Set(fake.requests.map((r) => r.headers.authorization))).toEqual(
      new Set([`Bearer ${first.accessToken as string}`]),
    )

    // Five minutes or less left (our clock): the run gets a new token first and stores it.
    const row = await env.kit.connectionRow(setup.org, setup.id)
    const nearEnd = { ...first, accessTokenExpiresAt: new Date(Date.now() + 60_000).toISOString() }
    const credentials = await env.kit.vault.encrypt(
      JSON.stringify(nearEnd),
      `${setup.org.id}/${setup.id}`,
    )
    await env.store.db.update(connections).set({ credentials }).where(eq(connections.id, row.id))
    fake.requests.length = 0
    expect(await syncNow(setup)).toMatchObject({ status: 'completed' })
    expect(tokenCalls(fake)).toHaveLength(1)
    const renewed = await stored()
    expect(renewed.accessToken).not.toBe(first.accessToken)
    expect(fake.requests.at(-1)?.headers.authorization).toBe(
      `Bearer ${renewed.accessToken as string}`,
    )
  })
})

describe('mapping a Zuora account', () => {
  it('takes the Bill To as main, the Sold To and the other contacts as additional, each person once', () => {
    const { customer, skipped } = mapZuoraAccount(acmeRecord, acmeContacts)
    expect(customer).toEqual({
      externalId: '8ad0823f8f1a2b3c018f1a2b3c4d0001',
      name: 'Acme Industries GmbH',
      accountingCode: 'A00000369',
      vatNumber: 'DE123456789',
      address: 'Hauptstrasse 1, Hinterhaus, Berlin',
      postalCode: '10115',
      city: 'Berlin',
      country: 'DE',
      currency: 'EUR',
      archived: false,
      contacts: [
        {
          externalId: '8ad0823f8f1a2b3c018f1a2b3c4d0002',
          email: 'ap@acme.example',
          firstName: 'Marie',
          lastName: 'Dubois',
          phone: '+49 30 1234567',
          role: 'ACCOUNTING',
          isMain: true,
        },
        {
          externalId: '8ad0823f8f1a2b3c018f1a2b3c4d0003',
          email: 'jonas.becker@acme.example',
          firstName: 'Jonas',
          lastName: 'Becker',
          phone: '+49 170 1234567',
          role: 'PURCHASER',
          isMain: false,
        },
        // No work email: the personal one.
        {
          externalId: '8ad0823f8f1a2b3c018f1a2b3c4d0004',
          email: 'lena.vogel@mail.example',
          firstName: 'Lena',
          lastName: 'Vogel',
          phone: '+49 30 7654321',
          role: null,
          isMain: false,
        },
      ],
    })
    // "AP@acme.example" is the main contact again (merged); "Nobody" has no email at all.
    expect(skipped).toEqual([
      {
        externalId: '8ad0823f8f1a2b3c018f1a2b3c4d0001/8ad0823f8f1a2b3c018f1a2b3c4d0006',
        reason: expect.stringContaining('"typo@" is not a valid email address'),
      },
    ])
  })

  it('reads the Bill To from the expansion when the contacts query is not given, and archives a canceled account', () => {
    const { customer } = mapZuoraAccount(boltRecord, [])
    expect(customer).toMatchObject({
      name: 'Bolt Logistics Ltd',
      archived: true,
      country: 'GB',
      postalCode: 'EC1A 1BB',
      currency: 'GBP',
      vatNumber: null,
    })
    // Bill To and Sold To are one contact record: one contact.
    expect(customer?.contacts.map((c) => [c.email, c.isMain, c.role])).toEqual([
      ['olivia@bolt.example', true, 'ACCOUNTING'],
    ])
  })

  it('leaves a draft account without a Bill To with no main contact', () => {
    const { customer, skipped } = mapZuoraAccount(cactusRecord, [])
    expect(customer).toMatchObject({ name: 'Cactus Draft Co', contacts: [], address: null })
    expect(skipped).toEqual([])
  })

  it('skips the whole account when it or one of its contacts cannot be read', () => {
    expect(mapZuoraAccount({ ...acmeRecord, name: '' }, acmeContacts)).toEqual({
      customer: null,
      skipped: [
        {
          externalId: acmeRecord.id,
          reason: `Zuora account ${acmeRecord.id as string} could not be read (name: the account has no name); fix it in Zuora.`,
        },
      ],
    })
    const broken = [...acmeContacts, { accountId: acmeRecord.id, workEmail: 'x@y.example' }]
    const mapped = mapZuoraAccount(acmeRecord, broken)
    expect(mapped.customer).toBeNull()
    expect(mapped.skipped[0]?.reason).toContain('its contact (without id) could not be read')
    expect(mapZuoraAccount('nonsense', []).skipped[0]?.externalId).toBeNull()
  })

  it('calls the tenant’s data centre, or the base URL when one is given (the token endpoint too)', () => {
    expect(zuoraBase({})).toBe('https://rest.zuora.com')
    expect(zuoraBase({ environment: 'eu' })).toBe('https://rest.eu.zuora.com')
    expect(zuoraBase({ environment: 'us-sandbox' })).toBe('https://rest.apisandbox.zuora.com')
    expect(zuoraBase({ environment: 'eu', baseUrl: 'http://127.0.0.1:9/' })).toBe(
      'http://127.0.0.1:9',
    )
    expect(zuoraConnector.settings.safeParse({ environment: 'mars' }).success).toBe(false)
  })
})

describe('Zuora rate limits', () => {
  it('waits what RateLimit-Reset says when the window is spent, Retry-After first when sent', async () => {
    const fake = track(await ZuoraFake.start())
    fake.createAccount({ name: 'One' })
    const settings = { baseUrl: fake.url }
    const secrets = connectedSecrets(fake)
    const full = () => allPages(zuoraConnector, { settings, secrets, cursor: null, mode: 'full' })
    fake.failNext(1, { status: 429, retryAfter: 30 })
    expect((await sourceError(full(), 'rate_limited')).retryAfterMs).toBe(30_000)
    const limited = fake.requests.at(-1)
    expect(limited?.path).toBe('/object-query/accounts')
    // Over the concurrency limit: no window to wait for.
    fake.failNext(1, { status: 429 })
    expect((await sourceError(full(), 'rate_limited')).retryAfterMs).toBeNull()
    expect(await full()).toHaveLength(1)
  })
})

// The command line runs in processes of its own, with a database of their own.
const isolated = await isolatedStore()
afterAll(() => isolated.close())

describe('roster connection add --system zuora', () => {
  const bin = new URL('../../bin/roster', import.meta.url).pathname
  const roster = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(bin, args, { env: { ...process.env, ...isolated.env } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      })
    })

  it(
    'checks the client against the fake before saving, and refuses a wrong secret with the reason',
    { timeout: 120_000 },
    async () => {
      const fake = track(await ZuoraFake.start())
      acme(fake)
      const org = await createOrganization(isolated.store.db, { name: 'CLI Zuora', country: 'FR' })
      const add = [
        'connection',
        'add',
        '--org',
        org.slug,
        '--system',
        'zuora',
        '--base-url',
        fake.url,
      ]
      const wrong = await roster(
        ...add,
        '--secret',
        `clientId=${fake.clientId}`,
        '--secret',
        'clientSecret=not-the-secret',
        '--json',
      )
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toBe(
        'roster: Zuora refused these credentials (Bad client credentials); check the client id and secret and try again. secrets: Refused by Zuora.\n',
      )
      const added = await roster(
        ...add,
        '--secret',
        `clientId=${fake.clientId}`,
        '--secret',
        `clientSecret=${fake.clientSecret}`,
        '--json',
      )
      expect(added.stderr).toBe('')
      expect(JSON.parse(added.stdout)).toEqual({
        id: expect.any(String),
        system: 'zuora',
        name: 'Zuora',
        status: 'active',
      })
      expect(tokenCalls(fake).map((r) => new URLSearchParams(r.body).get('client_secret'))).toEqual(
        ['not-the-secret', fake.clientSecret],
      )
    },
  )
})
