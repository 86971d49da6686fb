import { describe, expect, it } from 'vitest'
import { chargebeeConnector } from '../../src/modules/sources/connectors/chargebee/index.ts'
import { mapChargebeeCustomer, roleOf } from '../../src/modules/sources/connectors/chargebee/map.ts'
import type {
  ChargebeeSecrets,
  ChargebeeSettings,
} from '../../src/modules/sources/connectors/chargebee/schemas.ts'
import { ChargebeeFake } from '../fakes/chargebee/fake-server.ts'
import { fixture, sourceError } from './support.ts'
import { listedCustomers, synced, track } from '../sources/fakes.ts'
import { json } from '../support.ts'
import { connectorConformance, withFake, type ConnectorSpec } from './conformance.ts'
import { connector, syncConformance, syncEnvironment, type SyncSpec } from './sync-conformance.ts'

const list = await fixture('chargebee', 'customers-list')
const deleted = await fixture('chargebee', 'customers-deleted')
const contactsPage = await fixture('chargebee', 'contacts-list')
const record = (from: any, id: string) =>
  from.list.find((item: any) => item.customer.id === id).customer

const listCalls = (fake: ChargebeeFake) =>
  fake.requests.filter((r) => r.path === '/api/v2/customers')

const chargebeeSpec: ConnectorSpec<ChargebeeFake, ChargebeeSettings, ChargebeeSecrets> = {
  label: 'Chargebee',
  connector: chargebeeConnector,
  start: (options) => ChargebeeFake.start(options),
  settings: (fake) => ({ site: fake.site, baseUrl: fake.url }),
  secrets: (fake) => ({ apiKey: fake.apiKey }),
  wrongSecrets: { apiKey: 'wrong' },
  refusedKeySays: 'authentication failed',
  // Oldest change first.
  ordered: true,
  seed: (fake, count) => {
    // One second apart, so the listing's order is the writing order.
    const created = Array.from({ length: count }, (_, i) => {
      fake.advance(1)
      return String(
        fake.createCustomer({ id: `c-${i}`, company: `Company ${i}`, email: `c${i}@example.com` })
          .id,
      )
    })
    fake.advance(3600)
    return created
  },
  rename: (fake, id, name) => {
    fake.updateCustomer(id, { company: name })
  },
  touch: (fake, id) => {
    fake.updateCustomer(id, { phone: '+44 20 0000 0000' })
  },
  remove: (fake, id) => {
    fake.deleteCustomer(id)
  },
  create: (fake, name) =>
    String(fake.createCustomer({ id: name.toLowerCase().replace(/\W+/g, '-'), company: name }).id),
  expectCheckCalls: (fake) => {
    // The key is the Basic user name.
    expect(fake.requests).toHaveLength(1)
    const auth = fake.requests[0]?.headers.authorization ?? ''
    expect(Buffer.from(auth.replace('Basic ', ''), 'base64').toString()).toBe(`${fake.apiKey}:`)
  },
  expectPagingCalls: (fake) => {
    // Following next_offset, oldest change first.
    const calls = listCalls(fake)
    expect(calls.map((r) => r.query.get('limit'))).toEqual(['100', '100', '100'])
    expect(calls.map((r) => r.query.get('sort_by[asc]'))).toEqual(Array(3).fill('updated_at'))
    expect(calls[0]?.query.get('offset')).toBeNull()
    expect(JSON.parse(calls[1]?.query.get('offset') ?? 'null')).toHaveLength(2)
    expect(calls.every((r) => r.query.get('include_deleted') === null)).toBe(true)
  },
  fullRunCursor: (fake) => ({ v: 1, updatedAt: fake.now() - 60, seen: {} }),
  changeGap: 120,
  moreChanges: (fake) => {
    fake.clearPersonalData('c-2')
    fake.addContact('c-3', { id: 'ct_new', email: 'new@c3.example', label: 'Billing' })
    return ['c-2', 'c-3']
  },
  expectChanges: (fake, got) => {
    // Cleared personal data archives the customer and its contacts.
    expect(got.get('c-2')).toMatchObject({ archived: true, contacts: [] })
    expect(got.get('c-3')?.contacts.map((c) => c.externalId)).toEqual(['c-3', 'ct_new'])
    const call = listCalls(fake).at(-1)
    expect(call?.query.get('updated_at[after]')).toBe(String(fake.now() - 120 - 60 - 1))
    expect(call?.query.get('include_deleted')).toBe('true')
    expect(call?.query.get('sort_by[asc]')).toBe('updated_at')
  },
  expectCursorAfterChange: (fake, cursor) => {
    expect(cursor).toMatchObject({ updatedAt: fake.now() })
  },
  webhook: {
    secrets: (fake) => ({
      apiKey: fake.apiKey,
      webhookUsername: fake.webhookUsername,
      webhookPassword: fake.webhookPassword,
    }),
    unconfigured: (fake) => ({ apiKey: fake.apiKey }),
    unconfiguredSays: 'user name and password',
    prepare: (fake) => {
      fake.createCustomer({ id: 'hooked', email: 'hook@example.com' })
    },
    send: (fake, url) => fake.sendWebhook(url),
    // Chargebee signs nothing: a call is proven by the endpoint's Basic credentials.
    refused: [
      {
        name: 'a wrong password',
        send: (fake, url) => fake.sendWebhook(url, { password: 'guess' }),
      },
      {
        name: 'a wrong user name',
        send: (fake, url) => fake.sendWebhook(url, { username: 'someone' }),
      },
      {
        name: 'a call without credentials',
        send: (fake, url) => fake.sendWebhook(url, { credentials: null }),
        says: 'no Basic credentials',
      },
    ],
  },
}

connectorConformance(chargebeeSpec)

/** The contact rule's cases in one customer: main, additional, duplicate, disabled, no email. */
const acme = (fake: ChargebeeFake) =>
  fake.createCustomer({
    id: 'acme',
    company: 'Acme Industries SAS',
    first_name: 'Marie',
    last_name: 'Dubois',
    email: 'marie@acme.example',
    vat_number: '40123456824',
    vat_number_prefix: 'FR',
    preferred_currency_code: 'EUR',
    billing_address: { line1: '12 rue des Lilas', city: 'Paris', zip: '75011', country: 'FR' },
    contacts: [
      { id: 'ct_ap', first_name: 'Paul', email: 'ap@acme.example', label: 'Accounts payable' },
      { id: 'ct_dup', email: 'MARIE@acme.example', phone: '01 84 80 12 34', label: 'Billing' },
      { id: 'ct_off', email: 'old@acme.example', enabled: false },
      { id: 'ct_blank', first_name: 'Nobody', email: null },
    ],
  })

/** No customer-level email: its first enabled contact is promoted to main. */
const bolt = (fake: ChargebeeFake) =>
  fake.createCustomer({
    id: 'bolt',
    company: 'Bolt GmbH',
    contacts: [
      { id: 'ct_b0', email: 'gone@bolt.example', enabled: false },
      { id: 'ct_b1', email: 'ap@bolt.example', first_name: 'Anna' },
      { id: 'ct_b2', email: 'cfo@bolt.example', label: 'Finance' },
      { id: 'ct_b3', email: 'AP@bolt.example', phone: '06 11 22 33 44', label: 'Payments' },
    ],
  })

const people = (customer: any) =>
  customer.contacts.map((c: any) => [c.externalId, c.email, c.isMain])

const chargebeeSync: SyncSpec<ChargebeeFake> = {
  system: 'chargebee',
  label: 'Chargebee',
  start: () => ChargebeeFake.start(),
  connection: (fake) => ({
    settings: { site: fake.site, baseUrl: fake.url },
    secrets: {
      apiKey: fake.apiKey,
      webhookUsername: fake.webhookUsername,
      webhookPassword: fake.webhookPassword,
    },
  }),
  /**
   * The first incremental run reads again the last minute before the full run began: the
   * customers are written earlier than that, so it brings only what changed after.
   */
  later: (fake) => {
    fake.advance(120)
  },
  acme: (fake) => String(acme(fake).id),
  create: (fake, { name, email }) =>
    String(
      fake.createCustomer({
        id: name.toLowerCase().replace(/\W+/g, '-'),
        company: name,
        ...(email ? { email } : {}),
      }).id,
    ),
  rename: (fake, id, name) => {
    fake.updateCustomer(id, { company: name })
  },
  remove: (fake, id) => {
    fake.deleteCustomer(id)
  },
  forget: (fake, id) => {
    fake.customers.delete(id)
  },
  incremental: {
    fill: (fake) => {
      acme(fake)
      bolt(fake)
      fake.createCustomer({ id: 'cactus', company: 'Cactus Supply' })
      return { acme: 'acme', other: 'bolt' }
    },
    // Contacts added and disabled, and a main contact replaced.
    change: (fake) => {
      fake.updateContact('acme', 'ct_ap', { first_name: 'Pauline', enabled: false })
      fake.addContact('acme', { id: 'ct_new', email: 'new@acme.example', label: 'Purchasing' })
      fake.updateCustomer('bolt', { email: 'owner@bolt.example', first_name: 'Otto' })
    },
    expect: async (api) => {
      const after = await synced(api, 'acme')
      expect(after.contacts.map((c: any) => [c.externalId, c.isMain, c.role])).toEqual([
        ['acme', true, 'ACCOUNTING'],
        ['ct_new', false, 'PURCHASER'],
      ])
      expect(people(await synced(api, 'bolt'))).toEqual([
        ['bolt', 'owner@bolt.example', true],
        ['ct_b1', 'ap@bolt.example', false],
        ['ct_b2', 'cfo@bolt.example', false],
      ])
    },
  },
  webhook: {
    change: (fake) => {
      fake.updateContact('acme', 'ct_ap', { phone: '04 72 00 00 00' })
    },
    expectChanged: async (api) => {
      const ap = (await synced(api, 'acme')).contacts.find((c: any) => c.externalId === 'ct_ap')
      expect(ap.phone).toBe('+33472000000')
    },
    send: (fake, url) => fake.sendWebhook(url),
    refused: [
      (fake, url) => fake.sendWebhook(url, { password: 'not-the-password' }),
      (fake, url) => fake.sendWebhook(url, { username: 'someone-else' }),
      (fake, url) => fake.sendWebhook(url, { credentials: null }),
    ],
  },
  owned: {
    field: 'vatNumber',
    value: 'FR00000000000',
    column: 'VAT number',
    imported: 'FR111',
    kept: { vatNumber: 'FR40123456824' },
  },
  changeContacts: (fake) => {
    fake.updateCustomer('acme', { email: 'new-main@acme.example' })
    fake.updateContact('acme', 'ct_ap', { first_name: 'Pierre', email: 'pierre@acme.example' })
    fake.addContact('acme', { id: 'ct_more', email: 'more@acme.example' })
  },
  serverErrorSays: 'error 500: Sorry, something went wrong when trying to process the request.',
  revokedSays: 'Sorry, authentication failed. Invalid api key',
  wrongKey: 'test_still_wrong',
  wrongKeySays: 'Sorry, authentication failed. Invalid api key',
  crash: {
    expectStored: (stored) => {
      expect(stored.full.offset).toEqual(expect.any(String))
    },
    expectResumed: (fake, stored) => {
      const listings = fake.requests.filter((r) => r.path === '/api/v2/customers')
      expect(listings.map((r) => r.query.get('offset'))).toEqual([stored.full.offset])
    },
    // 150 changes in the same second as the full run: the cursor keeps the versions applied.
    beforeChanges: () => undefined,
  },
}

// The real Chargebee connector (official SDK) through the engine, against the Chargebee fake.
const env = await syncEnvironment()
syncConformance(chargebeeSync, env)

describe('Chargebee’s contact rule through the engine', () => {
  const { connected, syncNow } = connector(chargebeeSync, env)

  it('follows every page and applies the contact rule: main, additional, duplicates merged, disabled left out, a contact promoted', async () => {
    const setup = await connected((fake) => {
      acme(fake)
      bolt(fake)
      fake.createCustomer({ id: 'cactus', company: 'Cactus Supply' })
      for (let n = 1; n <= 247; n++) {
        fake.createCustomer({
          id: `c${n}`,
          first_name: 'Ann',
          last_name: `No ${n}`,
          email: `c${n}@x.example`,
        })
      }
    })
    const { fake, api, connection, first } = setup
    expect(connection).toMatchObject({
      system: 'chargebee',
      status: 'active',
      settings: { site: fake.site, baseUrl: fake.url },
      isContactSource: true,
    })
    expect(JSON.stringify(connection)).not.toContain(fake.apiKey)
    expect(first).toMatchObject({ pages: 3, created: 250, updated: 0, archived: 0, skipped: 0 })
    const listings = fake.requests.filter((r) => r.path === '/api/v2/customers')
    expect(listings.map((r) => [r.query.get('limit'), r.query.has('offset')])).toEqual([
      ['1', false],
      ['100', false],
      ['100', true],
      ['100', true],
    ])
    expect(fake.requests.some((r) => r.path.endsWith('/contacts'))).toBe(false)

    const customers = await listedCustomers(api)
    expect(customers).toHaveLength(250)
    expect(customers.every((c) => c.source === 'chargebee')).toBe(true)
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
    expect(company.contacts).toMatchObject([
      {
        externalId: 'acme',
        email: 'marie@acme.example',
        firstName: 'Marie',
        lastName: 'Dubois',
        phone: '+33184801234',
        role: 'ACCOUNTING',
        isMain: true,
        source: 'chargebee',
      },
      { externalId: 'ct_ap', email: 'ap@acme.example', firstName: 'Paul', isMain: false },
    ])
    expect(company.contacts).toHaveLength(2)
    const promoted = await synced(api, 'bolt')
    expect(people(promoted)).toEqual([
      ['ct_b1', 'ap@bolt.example', true],
      ['ct_b2', 'cfo@bolt.example', false],
    ])
    // Its duplicate (ct_b3) merged in: what it knows and ct_b1 did not.
    expect(promoted.contacts[0]).toMatchObject({ phone: '+33611223344', role: 'PAYER' })
    expect((await synced(api, 'cactus')).contacts).toEqual([])
    expect((await synced(api, 'c7')).mainContact).toMatchObject({
      email: 'c7@x.example',
      firstName: 'Ann',
      lastName: 'No 7',
    })
  })

  it('reads the contacts of a site that lists customers without them', async () => {
    const { fake, api } = await connected(
      (fake) => {
        acme(fake)
      },
      track(await ChargebeeFake.start({ contactsInList: false })),
    )
    expect(fake.requests.map((r) => r.path)).toContain('/api/v2/customers/acme/contacts')
    expect(people(await synced(api, 'acme'))).toEqual([
      ['acme', 'marie@acme.example', true],
      ['ct_ap', 'ap@acme.example', false],
    ])
  })

  it('archives a customer whose personal data was cleared, with its contacts, next to one deleted', async () => {
    const setup = await connected((fake) => {
      acme(fake)
      bolt(fake)
      fake.createCustomer({ id: 'cactus', company: 'Cactus Supply', email: 'ap@cactus.example' })
      fake.createCustomer({ id: 'dune', company: 'Dune' })
    })
    const { fake, api } = setup
    const cleared = await synced(api, 'bolt')
    fake.deleteCustomer('acme')
    fake.clearPersonalData('bolt')
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', archived: 2, updated: 0 })
    expect((await listedCustomers(api)).map((c) => c.externalId)).toEqual(['cactus', 'dune'])
    for (const contact of cleared.contacts) {
      expect((await api.get(`/api/v1/contacts/${contact.id as string}`)).statusCode).toBe(404)
    }
    const history = json(await api.get(`/api/v1/customers/${cleared.id as string}/history`)).data
    expect(history.some((e: any) => e.action === 'archive' && e.entity === 'customer')).toBe(true)
  })
})

describe('the Chargebee connector on what only Chargebee does', () => {
  const { fake, secrets, full } = withFake(chargebeeSpec)
  const settings = () => chargebeeSpec.settings(fake())

  it('reads the contacts endpoint, page by page, when customers come without contacts[]', async () => {
    fake().contactsInList = false
    fake().createCustomer({
      id: 'many',
      email: 'main@many.example',
      contacts: Array.from({ length: 130 }, (_, i) => ({ email: `p${i}@many.example` })),
    })
    fake().createCustomer({ id: 'none', email: 'only@none.example' })
    const pages = await full()
    const many = pages[0]?.customers.find((c) => c.externalId === 'many')
    expect(many?.contacts).toHaveLength(131)
    const calls = fake().requests.filter((r) => r.path === '/api/v2/customers/many/contacts')
    expect(calls.map((r) => r.query.get('limit'))).toEqual(['100', '100'])
    expect(calls[1]?.query.get('offset')).not.toBeNull()
    expect(pages[0]?.customers.find((c) => c.externalId === 'none')?.contacts).toHaveLength(1)
  })

  it('trusts a listing that shows contacts[]: a customer listed without it has none', async () => {
    fake().createCustomer({
      id: 'with',
      email: 'a@with.example',
      contacts: [{ email: 'b@with.example' }],
    })
    chargebeeSpec.seed(fake(), 3)
    const pages = await full()
    expect(pages.flatMap((p) => p.customers.map((c) => c.externalId))).toEqual([
      'with',
      'c-0',
      'c-1',
      'c-2',
    ])
    expect(fake().requests.filter((r) => r.path.endsWith('/contacts'))).toEqual([])
    const customers = pages.flatMap((p) => p.customers)
    expect(customers.map((c) => c.contacts.length)).toEqual([2, 1, 1, 1])
  })

  it('says the site is unknown when Chargebee answers 404 to the check', async () => {
    const error = await sourceError(
      chargebeeConnector.check({ ...settings(), baseUrl: `${fake().url}/nowhere` }, secrets()),
      'not_found',
    )
    expect(error.message).toContain(`no site "${fake().site}"`)
  })

  it('reports a customer that cannot be read and goes on with the others', async () => {
    fake().createCustomer({ id: 'fine', email: 'fine@example.com' })
    fake().putRawCustomer({ id: 'odd', object: 'customer', email: 42, deleted: false })
    const [page] = await full()
    expect(page?.customers.map((c) => c.externalId)).toEqual(['fine'])
    expect(page?.skipped).toEqual([{ externalId: 'odd', reason: expect.stringContaining('email') }])
  })
})

describe('mapping a Chargebee customer', () => {
  const acme = mapChargebeeCustomer(record(list, 'acme-industries'))
  const contacts = acme.customer?.contacts ?? []
  const byId = (id: string) => contacts.find((c) => c.externalId === id)

  it('takes the company, VAT number with its prefix, billing address and currency', () => {
    expect(acme.customer).toMatchObject({
      externalId: 'acme-industries',
      name: 'Acme Industries SAS',
      accountingCode: null,
      vatNumber: 'FR40123456824',
      address: '12 rue des Lilas, Bâtiment B',
      postalCode: '75011',
      city: 'Paris',
      country: 'FR',
      currency: 'EUR',
      archived: false,
    })
  })

  it('makes the customer-level person the one main contact', () => {
    expect(contacts.filter((c) => c.isMain)).toEqual([
      {
        externalId: 'acme-industries',
        email: 'marie.dubois@acme-industries.example',
        firstName: 'Marie',
        lastName: 'Dubois',
        phone: '+33 1 84 80 12 34',
        role: 'ACCOUNTING',
        isMain: true,
      },
    ])
  })

  it('merges a contact with the main email (any case) into the main contact', () => {
    expect(byId('ct_8Dup1')).toBeUndefined()
    expect(
      contacts.filter((c) => c.email.toLowerCase() === 'marie.dubois@acme-industries.example'),
    ).toHaveLength(1)
  })

  it('leaves disabled contacts out', () => {
    expect(byId('ct_9Off0')).toBeUndefined()
  })

  it('merges duplicate additional contacts into the first, filling what it lacks', () => {
    expect(byId('ct_BbSal')).toBeUndefined()
    expect(byId('ct_AaSal')).toEqual({
      externalId: 'ct_AaSal',
      email: 'sales@acme-industries.example',
      firstName: 'Luc',
      lastName: 'Bernard',
      phone: '+33 6 12 12 12 12',
      role: 'SALES',
      isMain: false,
    })
  })

  it('turns labels into roles only when they clearly say one', () => {
    expect(byId('ct_7Hs2k')?.role).toBe('ACCOUNTING')
    expect(byId('ct_DdBuy')?.role).toBe('PURCHASER')
    expect(byId('ct_EePay')?.role).toBe('PAYER')
    expect(byId('ct_FfNone')?.role).toBeNull()
    expect(contacts.map((c) => c.externalId)).toEqual([
      'acme-industries',
      'ct_7Hs2k',
      'ct_AaSal',
      'ct_DdBuy',
      'ct_EePay',
      'ct_FfNone',
    ])
  })

  it.each([
    ['Accounts Payable', 'ACCOUNTING'],
    ['Comptabilité fournisseurs', 'ACCOUNTING'],
    ['Invoices', 'ACCOUNTING'],
    ['Service achats', 'PURCHASER'],
    ['Procurement lead', 'PURCHASER'],
    ['Payer', 'PAYER'],
    ['Sales ops', 'SALES'],
    ['Directeur commercial', 'SALES'],
    ['Account manager', null],
    ['CEO', null],
    ['', null],
  ])('reads the label "%s" as %s', (label, role) => {
    expect(roleOf(label)).toBe(role)
  })

  it('reports a contact whose email is not valid and leaves it out', () => {
    expect(byId('ct_CcBad')).toBeUndefined()
    expect(acme.skipped).toEqual([
      {
        externalId: 'acme-industries/ct_CcBad',
        reason: expect.stringContaining('"typo.person@@acme"'),
      },
    ])
  })

  it('promotes the first enabled contact to main when the customer has no email', () => {
    const { customer } = mapChargebeeCustomer(record(list, 'no-email-gmbh'))
    expect(customer?.contacts).toEqual([
      {
        externalId: 'ct_First',
        email: 'anna.schmidt@noemail.example',
        firstName: 'Anna',
        lastName: 'Schmidt',
        phone: null,
        role: 'ACCOUNTING',
        isMain: true,
      },
      {
        externalId: 'ct_Secnd',
        email: 'jonas.keller@noemail.example',
        firstName: 'Jonas',
        lastName: 'Keller',
        phone: null,
        role: null,
        isMain: false,
      },
    ])
    expect(customer).toMatchObject({
      currency: 'EUR',
      country: 'DE',
      address: 'Hauptstraße 5, Berlin',
      vatNumber: 'DE123456789',
    })
  })

  it('names a customer without company by its person, else by its id', () => {
    expect(mapChargebeeCustomer(record(list, 'solo-trader')).customer?.name).toBe('Ines Garcia')
    expect(mapChargebeeCustomer(record(list, 'cust_only_id')).customer?.name).toBe('cust_only_id')
  })

  it('drops contacts without an email, leaving a customer with none', () => {
    const { customer, skipped } = mapChargebeeCustomer(record(list, 'cust_only_id'))
    expect(customer?.contacts).toEqual([])
    expect(skipped).toEqual([])
  })

  it('takes contacts read from the contacts endpoint when the customer came without them', () => {
    const fetched = contactsPage.list.map((item: any) => item.contact)
    const { customer } = mapChargebeeCustomer(record(list, 'solo-trader'), fetched)
    expect(customer?.vatNumber).toBe('ESB12345678')
    expect(customer?.contacts).toMatchObject([
      { externalId: 'solo-trader', isMain: true, role: 'ACCOUNTING', phone: '+34 600 000 000' },
      { externalId: 'ct_Ep01', isMain: false, role: null },
    ])
  })

  it('skips a record without an id, saying why', () => {
    const broken = list.list[4].customer
    expect(mapChargebeeCustomer(broken)).toEqual({
      customer: null,
      skipped: [{ externalId: null, reason: expect.stringContaining('id') }],
    })
  })

  it('archives a deleted customer with its contacts', () => {
    const { customer } = mapChargebeeCustomer(record(deleted, 'gone-srl'))
    expect(customer).toMatchObject({ name: 'Gone SRL', archived: true })
    expect(customer?.contacts.map((c) => c.externalId)).toEqual(['gone-srl', 'ct_GoneA'])
  })

  it('archives a customer whose personal data was cleared, and removes its contacts', () => {
    const { customer } = mapChargebeeCustomer(record(deleted, 'forgotten-ltd'))
    expect(customer).toMatchObject({ name: 'forgotten-ltd', archived: true, contacts: [] })
  })
})

describe('Chargebee connection settings', () => {
  it('takes the site name and an optional base URL', () => {
    const settings = chargebeeConnector.settings
    expect(settings.parse({ site: 'acme-test' })).toEqual({ site: 'acme-test' })
    expect(settings.parse({ site: 'acme', baseUrl: 'http://127.0.0.1:4010' })).toMatchObject({
      baseUrl: 'http://127.0.0.1:4010',
    })
    const host = settings.safeParse({ site: 'acme-test.chargebee.com' })
    expect(host.error?.issues[0]?.message).toBe(
      'Enter the Chargebee site name only, like acme-test for acme-test.chargebee.com.',
    )
    expect(settings.safeParse({}).success).toBe(false)
  })

  it('needs an API key; webhook credentials are optional', () => {
    expect(chargebeeConnector.secrets.safeParse({ apiKey: '' }).success).toBe(false)
    expect(chargebeeConnector.secrets.parse({ apiKey: 'k' })).toEqual({ apiKey: 'k' })
  })
})
