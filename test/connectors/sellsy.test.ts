import { execFile } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import { createOrganization } from '../../src/modules/organizations/organizations.service.ts'
import { sellsyConnector } from '../../src/modules/sources/connectors/sellsy/index.ts'
import {
  mapSellsyCompany,
  mapSellsyIndividual,
} from '../../src/modules/sources/connectors/sellsy/map.ts'
import type { SourcePage } from '../../src/modules/sources/connectors/types.ts'
import { SellsyFake } from '../fakes/sellsy/fake-server.ts'
import { listedCustomers, synced, track } from '../sources/fakes.ts'
import { isolatedStore } from '../sources/isolated.ts'
import { client, json, testApp } from '../support.ts'
import { connectorConformance, withFake } from './conformance.ts'
import {
  acme,
  companies,
  companyContacts,
  contactId,
  individuals,
  people,
  sellsySpec,
  sellsySync,
} from './specs/sellsy.ts'
import { sourceError } from './support.ts'
import { connector, syncConformance, syncEnvironment } from './sync-conformance.ts'

connectorConformance(sellsySpec)

// The Sellsy connector through the engine, against the Sellsy fake.
const env = await syncEnvironment()
syncConformance(sellsySync, env)

describe('Sellsy’s contact rule through the engine', () => {
  const { connected, syncNow } = connector(sellsySync, env)

  it('brings client companies and individuals: the main contact main, the others additional, nobody promoted', async () => {
    const ids = { acme: 0, noMain: 0, other: 0, person: 0 }
    const setup = await connected((fake) => {
      ids.acme = acme(fake)
      ids.noMain = fake.createCompany({
        name: 'Sans Chef SARL',
        contacts: [{ email: 'a@sanschef.example' }, { email: 'b@sanschef.example' }],
      })
      // One person, contact of two companies: a contact of each.
      ids.other = fake.createCompany({ name: 'Filiale SAS' })
      fake.linkContact(ids.other, contactId(fake, String(ids.acme), 'ap@acme.example'))
      ids.person = fake.createIndividual({
        first_name: 'Camille',
        last_name: 'Roux',
        email: 'camille.roux@example.org',
        address: { address_line_1: '8 avenue Jean Jaurès', postal_code: '69007', city: 'Lyon' },
        contacts: [{ email: 'compta@roux.example', first_name: 'Léa', invoicing: true }],
      })
      fake.createCompany({ name: 'Prospect SA', type: 'prospect' })
      fake.createCompany({ name: 'Fournisseur SA', type: 'supplier' })
      fake.archiveCompany(fake.createCompany({ name: 'Archivée SA' }))
      fake.createIndividual({ first_name: 'Paul', last_name: 'Prospect', type: 'prospect' })
    })
    const { fake, api, first } = setup
    expect(first).toMatchObject({ created: 4, updated: 0, archived: 0, skipped: 0 })
    expect((await listedCustomers(api)).map((c) => c.name).sort()).toEqual([
      'Acme Industries SAS',
      'Camille Roux',
      'Filiale SAS',
      'Sans Chef SARL',
    ])
    const company = await synced(api, String(ids.acme))
    expect(company).toMatchObject({
      source: 'sellsy',
      name: 'Acme Industries SAS',
      vatNumber: 'FR40123456824',
      accountingCode: '411ACME',
      address: '12 rue des Lilas',
      postalCode: '75011',
      city: 'Paris',
      country: 'FR',
    })
    expect(people(company)).toEqual([
      ['marie@acme.example', true, null],
      ['ap@acme.example', false, 'ACCOUNTING'],
    ])
    expect(company.contacts[0]).toMatchObject({ firstName: 'Marie', phone: '+33184801234' })
    const noMain = await synced(api, String(ids.noMain))
    expect(people(noMain)).toEqual([
      ['a@sanschef.example', false, null],
      ['b@sanschef.example', false, null],
    ])
    expect(noMain.mainContact).toBeNull()
    expect(people(await synced(api, String(ids.other)))).toEqual([['ap@acme.example', false, null]])
    const person = await synced(api, `ind-${ids.person}`)
    expect(person).toMatchObject({ name: 'Camille Roux', city: 'Lyon', postalCode: '69007' })
    expect(person.contacts.map((c: any) => [c.externalId, c.email, c.isMain, c.role])).toEqual([
      [`ind-${ids.person}`, 'camille.roux@example.org', true, null],
      [expect.any(String), 'compta@roux.example', false, 'ACCOUNTING'],
    ])

    // A contact's own change (its company untouched) reaches each of its companies.
    fake.advance(60)
    fake.updateContact(contactId(fake, String(ids.acme), 'ap@acme.example'), { last_name: 'Petit' })
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', updated: 2, created: 0 })
    for (const id of [ids.acme, ids.other]) {
      const ap = (await synced(api, String(id))).contacts.find(
        (c: any) => c.email === 'ap@acme.example',
      )
      expect(ap.lastName).toBe('Petit')
    }
    // A client turned prospect, an individual archived: archived in Roster.
    fake.updateCompany(ids.noMain, { type: 'prospect' })
    fake.archiveIndividual(ids.person)
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', archived: 2 })
    expect((await listedCustomers(api)).map((c) => c.name).sort()).toEqual([
      'Acme Industries SAS',
      'Filiale SAS',
    ])
  })

  it('skips and reports a company it cannot read, and one whose contact it cannot read, leaving it as it was', async () => {
    let acmeId = 0
    const setup = await connected((fake) => {
      acmeId = acme(fake)
      fake.createCompany({ name: 'Bolt', contacts: [{ email: 'ap@bolt.example', main: true }] })
    })
    const { fake, api } = setup
    const before = await synced(api, String(acmeId))
    fake.advance(60)
    fake.putRawCompany({ id: 5, type: 'client', name: 42 })
    fake.updateCompany(acmeId, { name: 'Acme SA' })
    fake.putRawContact(acmeId, { id: 77, email: ['two@acme.example'], is_archived: false })
    fake.createCompany({ name: 'Cactus', contacts: [{ email: 'ap@cactus.example', main: true }] })
    const run = await syncNow(setup)
    expect(run).toMatchObject({ status: 'completed', created: 1, updated: 0, skipped: 2 })
    const [shown] = json(await api.get(`/api/v1/connections/${setup.id}/runs`)).data
    expect(shown.errors).toEqual([
      {
        externalId: '5',
        reason: expect.stringContaining('Sellsy company 5 could not be read (name:'),
      },
      {
        externalId: String(acmeId),
        reason: expect.stringContaining(
          `A contact of Sellsy company ${acmeId} could not be read (email:`,
        ),
      },
    ])
    // Not half-applied: neither renamed nor its contacts touched.
    expect(await synced(api, String(acmeId))).toMatchObject({
      name: 'Acme Industries SAS',
      contacts: before.contacts,
    })
  })
})

describe('the Sellsy connector on what only Sellsy does', () => {
  const { fake, secrets, full, changes } = withFake(sellsySpec)
  const settings = () => sellsySpec.settings(fake())
  const list = (cursor: unknown, mode: 'full' | 'incremental') =>
    sellsyConnector.list({ settings: settings(), secrets: secrets(), cursor, mode })

  it('gets a new token when Sellsy answers 401 to an expired one mid-run, and goes on', async () => {
    sellsySpec.seed(fake(), 250)
    const pages: SourcePage[] = []
    for await (const page of list(null, 'full')) {
      pages.push(page)
      // An hour passes at Sellsy: the token it gave expires.
      if (pages.length === 1) fake().advance(3601)
    }
    expect(pages.map((p) => p.customers.length)).toEqual([100, 100, 50])
    expect(fake().tokenCalls()).toHaveLength(2)
    const refused = fake().statuses.filter((status) => status === 401)
    expect(refused).toHaveLength(1)
    // Refused once, asked again with the new token.
    const at = fake().statuses.indexOf(401)
    expect(fake().requests[at + 1]?.path).toBe('/oauth2/access-tokens')
    expect(fake().requests[at + 2]?.path).toBe(fake().requests[at]?.path)
  })

  it('renews a token shortly before it expires, without a refusal', async () => {
    fake().tokenLifetime = 2
    sellsySpec.seed(fake(), 2)
    await sellsyConnector.check(settings(), secrets())
    await sleep(1900)
    await sellsyConnector.check(settings(), secrets())
    expect(fake().tokenCalls()).toHaveLength(2)
    expect(fake().statuses.every((status) => status === 200)).toBe(true)
  })

  it('reads the used-up quota from X-Quota-Remaining-By-*: a second to wait, or none for the day', async () => {
    sellsySpec.seed(fake(), 3)
    fake().quota.perSecond = 3
    const second = await sourceError(full(), 'rate_limited')
    expect(second.retryAfterMs).toBe(1000)
    expect(second.message).toBe('too many requests (the quota per second is used up)')
    fake().advance(1)
    fake().failNext(1, { status: 429 })
    const day = await sourceError(full(), 'rate_limited')
    expect(day.retryAfterMs).toBeNull()
    expect(day.message).toBe('too many requests (the quota per day is used up)')
  })

  it('sees an archived company as archived, a deleted one only in a full run', async () => {
    const [kept = '', archived = '', deleted = ''] = sellsySpec.seed(fake(), 3)
    const cursor = (await full()).at(-1)?.cursor
    fake().advance(120)
    fake().archiveCompany(Number(archived))
    fake().deleteCompany(Number(deleted))
    const got = (await changes(cursor)).flatMap((p) => p.customers)
    expect(got.map((c) => [c.externalId, c.archived, c.contacts.length])).toEqual([
      [archived, true, 0],
    ])
    expect((await full()).flatMap((p) => p.customers.map((c) => c.externalId))).toEqual([kept])
  })

  it('calls the production hosts without a base URL: the login for the token, the API for the rest', async () => {
    const urls: string[] = []
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation((input) => {
      const url = input instanceof Request ? input.url : String(input)
      urls.push(url)
      const body = url.includes('/oauth2/')
        ? { token_type: 'Bearer', access_token: 'prod-token', expires_in: 3600 }
        : { data: [], pagination: { limit: 1, count: 0, total: 0, offset: null } }
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }))
    })
    try {
      await sellsyConnector.check({}, { clientId: 'prod-id', clientSecret: 'prod-secret' })
    } finally {
      spy.mockRestore()
    }
    expect(urls).toEqual([
      'https://login.sellsy.com/oauth2/access-tokens',
      'https://api.sellsy.com/v2/companies?limit=1',
    ])
  })

  it('declares no webhooks: Sellsy signs none', () => {
    expect('verifyWebhook' in sellsyConnector).toBe(false)
    expect(sellsyConnector.descriptor.webhookHeader).toBeNull()
  })

  it('follows a contact of several companies to each of them on an incremental run', async () => {
    const one = fake().createCompany({ name: 'One', contacts: [{ email: 'x@one.example' }] })
    const two = fake().createCompany({ name: 'Two' })
    const shared = contactId(fake(), String(one), 'x@one.example')
    fake().linkContact(two, shared)
    fake().advance(3600)
    const cursor = (await full()).at(-1)?.cursor
    fake().advance(120)
    fake().updateContact(shared, { first_name: 'Xavier' })
    const got = (await changes(cursor)).flatMap((p) => p.customers)
    expect(got.map((c) => [c.externalId, c.contacts[0]?.firstName])).toEqual([
      [String(one), 'Xavier'],
      [String(two), 'Xavier'],
    ])
    expect(fake().requests.some((r) => r.path === `/v2/contacts/${shared}/companies`)).toBe(true)
  })
})

describe('mapping a Sellsy company', () => {
  const laurent = mapSellsyCompany(companies.data[0], companyContacts.data)
  const contacts = laurent.customer?.contacts ?? []

  it('takes the name, VAT number, auxiliary account and invoicing address', () => {
    expect(laurent.customer).toMatchObject({
      externalId: '6657',
      name: 'Menuiserie Laurent',
      accountingCode: '411LAURENT',
      vatNumber: 'FR44732829320',
      address: '4 rue du Port, Zone artisanale',
      postalCode: '44000',
      city: 'Nantes',
      country: 'FR',
      currency: null,
      archived: false,
    })
  })

  it('makes the main contact main and the others additional, with the invoicing and dunning roles', () => {
    expect(contacts).toEqual([
      {
        externalId: '8801',
        email: 'marc@menuiserie-laurent.example',
        firstName: 'Marc',
        lastName: 'Laurent',
        phone: '+33600000001',
        role: null,
        isMain: true,
      },
      expect.objectContaining({ externalId: '8802', role: 'PAYER', isMain: false }),
      expect.objectContaining({ externalId: '8803', role: 'ACCOUNTING', isMain: false }),
    ])
  })

  it('merges a contact with the main email (any case) into the main one, leaves archived and email-less contacts out, reports a bad email', () => {
    expect(contacts.map((c) => c.externalId)).not.toContain('8804')
    expect(laurent.skipped).toEqual([
      { externalId: '6657/8807', reason: expect.stringContaining('"typo@@menuiserie-laurent"') },
    ])
  })

  it('promotes nobody when the company has no main contact', () => {
    const { customer } = mapSellsyCompany(companies.data[1], companyContacts.data.slice(1, 3))
    expect(customer?.contacts.map((c) => [c.externalId, c.isMain])).toEqual([
      ['8802', false],
      ['8803', false],
    ])
    expect(customer).toMatchObject({ name: 'Boulangerie Morel', vatNumber: null, address: null })
  })

  it('archives an archived company and one that is no longer a client, without contacts', () => {
    expect(mapSellsyCompany(companies.data[2], companyContacts.data).customer).toMatchObject({
      externalId: '6710',
      archived: true,
      contacts: [],
    })
    expect(mapSellsyCompany(companies.data[3], []).customer).toMatchObject({ archived: true })
  })

  it('skips a record without an id, and a company one of whose contacts cannot be read', () => {
    expect(mapSellsyCompany(companies.data[4], [])).toEqual({
      customer: null,
      skipped: [{ externalId: null, reason: expect.stringContaining('id') }],
    })
    const broken = mapSellsyCompany(companies.data[0], [{ id: 'x', email: 'a@b.example' }])
    expect(broken.customer).toBeNull()
    expect(broken.skipped[0]?.reason).toContain('the company was left as it was')
  })

  it('makes an individual its own main contact, under a prefixed Customer ID', () => {
    const { customer } = mapSellsyIndividual(individuals.data[0], [
      { id: 8950, first_name: 'Léa', email: 'lea@roux.example', is_archived: false },
      { id: 8951, email: 'CAMILLE.ROUX@example.org', phone_number: '+33600000009' },
    ])
    expect(customer).toMatchObject({
      externalId: 'ind-7301',
      name: 'Camille Roux',
      accountingCode: '411ROUX',
      city: 'Lyon',
      country: 'FR',
    })
    expect(customer?.contacts).toEqual([
      {
        externalId: 'ind-7301',
        email: 'camille.roux@example.org',
        firstName: 'Camille',
        lastName: 'Roux',
        phone: '+33145000000',
        role: null,
        isMain: true,
      },
      expect.objectContaining({ externalId: '8950', role: 'ACCOUNTING', isMain: false }),
    ])
  })
})

describe('Sellsy connection settings', () => {
  it('needs a client id and secret; the base URL is optional', () => {
    expect(sellsyConnector.secrets.safeParse({ clientId: 'a' }).success).toBe(false)
    expect(sellsyConnector.secrets.safeParse({ apiKey: 'k' }).success).toBe(false)
    expect(sellsyConnector.settings.parse({})).toEqual({})
    expect(sellsyConnector.settings.safeParse({ baseUrl: 'ftp://x' }).success).toBe(false)
  })
})

describe('the command line with Sellsy', () => {
  const bin = new URL('../../bin/roster', import.meta.url).pathname
  let isolated: Awaited<ReturnType<typeof isolatedStore>> | undefined
  beforeAll(async () => {
    isolated = await isolatedStore()
  }, 120_000)
  afterAll(async () => {
    await isolated?.close()
  })

  // Each command line process takes long to start on a busy machine: two of them, a long limit.
  it(
    'connects with --base-url and client credentials, and refuses a wrong secret readably',
    { timeout: 300_000 },
    async () => {
      if (!isolated) throw new Error('no store')
      const { store, env: processEnv } = isolated
      const roster = (...args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          execFile(bin, args, { env: { ...process.env, ...processEnv } }, (error, out, err) => {
            resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err })
          })
        })
      const fake = track(await SellsyFake.start())
      acme(fake)
      fake.advance(120)
      const org = await createOrganization(store.db, { name: 'Sellsy CLI', country: 'FR' })
      const { key } = await createApiKey(store.db, org.id, { name: 'test' })
      const add = (secret: string) =>
        roster(
          ...['connection', 'add', '--org', org.slug, '--system', 'sellsy'],
          ...['--base-url', fake.url, '--secret', `clientId=${fake.clientId}`],
          ...['--secret', `clientSecret=${secret}`, '--json'],
        )
      const wrong = await add('not-the-secret')
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toBe(
        'roster: Sellsy refused these credentials (Client authentication failed); check the client id and secret and try again. secrets: Refused by Sellsy.\n',
      )
      const added = await add(fake.clientSecret)
      expect(added.stderr).toBe('')
      const connection = JSON.parse(added.stdout)
      expect(connection).toEqual({
        id: expect.any(String),
        system: 'sellsy',
        name: 'Sellsy',
        status: 'active',
      })
      const api = client(await testApp(store), key)
      const shown = json(await api.get(`/api/v1/connections/${connection.id as string}`))
      expect(shown).toMatchObject({ settings: { baseUrl: fake.url }, isContactSource: true })
      expect(JSON.stringify(shown)).not.toContain(fake.clientSecret)
      // The check took a token at the fake's login path and read one company at its API path.
      expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /oauth2/access-tokens',
        'POST /oauth2/access-tokens',
        'GET /v2/companies',
      ])
    },
  )
})
