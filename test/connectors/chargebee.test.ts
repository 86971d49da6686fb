import { describe, expect, it } from 'vitest'
import { chargebeeConnector } from '../../src/modules/sources/connectors/chargebee/index.ts'
import { mapChargebeeCustomer, roleOf } from '../../src/modules/sources/connectors/chargebee/map.ts'
import { ChargebeeFake } from '../fakes/chargebee/fake-server.ts'
import { sourceError } from './support.ts'
import { listedCustomers, synced, track } from '../sources/fakes.ts'
import { json } from '../support.ts'
import { connectorConformance, withFake } from './conformance.ts'
import { connector, syncConformance, syncEnvironment } from './sync-conformance.ts'
import {
  acme,
  bolt,
  chargebeeSpec,
  chargebeeSync,
  contactsPage,
  deleted,
  list,
  people,
  record,
} from './specs/chargebee.ts'

connectorConformance(chargebeeSpec)

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
    expect(customer).toMatchObject({ name: 'Gone SRL', archived: true, erased: false })
    expect(customer?.contacts.map((c) => c.externalId)).toEqual(['gone-srl', 'ct_GoneA'])
  })

  it('archives a customer whose personal data was cleared, and removes its contacts', () => {
    const { customer } = mapChargebeeCustomer(record(deleted, 'forgotten-ltd'))
    expect(customer).toMatchObject({
      name: 'forgotten-ltd',
      archived: true,
      erased: true,
      contacts: [],
    })
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
