import { describe, expect, it } from 'vitest'
import { FullSyncRequiredError } from '../../src/modules/sources/connectors/common.ts'
import { stripeConnector } from '../../src/modules/sources/connectors/stripe/index.ts'
import { mapStripeCustomer } from '../../src/modules/sources/connectors/stripe/map.ts'
import { stripeDeletedCustomer } from '../../src/modules/sources/connectors/stripe/schemas.ts'
import { sourceError } from './support.ts'
import { listedCustomers, synced } from '../sources/fakes.ts'
import { connectorConformance, withFake } from './conformance.ts'
import { connector, syncConformance, syncEnvironment } from './sync-conformance.ts'
import { acme, deletedStub, events, record, stripeSpec, stripeSync } from './specs/stripe.ts'

connectorConformance(stripeSpec)

// The real Stripe connector (official SDK) through the engine, against the Stripe fake.
const env = await syncEnvironment()
syncConformance(stripeSync, env)

describe('Stripe’s contact rule through the engine', () => {
  const { connected } = connector(stripeSync, env)

  it('follows every page and brings each customer with one main contact, the customer-level person', async () => {
    let ids: string[] = []
    const setup = await connected((fake) => {
      ids = Array.from({ length: 250 }, (_, i) => {
        const n = i + 1
        return String(
          fake.createCustomer({
            name: `Customer ${String(n).padStart(3, '0')}`,
            email: n % 25 === 0 ? null : `ap${n}@customer${n}.example`,
            currency: 'eur',
          }).id,
        )
      })
      const taxed = acme(fake)
      fake.addTaxId(String(taxed.id), { type: 'eu_vat', value: 'FR40123456824', country: 'FR' })
      fake.createCustomer({ name: 'Typo Ltd', email: 'accounts@@typo.example' })
    })
    const { fake, api, connection, first } = setup
    expect(connection).toMatchObject({ system: 'stripe', status: 'active', isContactSource: true })
    expect(JSON.stringify(connection)).not.toContain(fake.apiKey)
    expect(first).toMatchObject({ pages: 3, created: 252, updated: 0, archived: 0, skipped: 1 })
    expect(first?.errors).toEqual([
      {
        externalId: expect.stringMatching(/^cus_/),
        reason: expect.stringContaining(
          'The email "accounts@@typo.example" of Stripe customer cus_',
        ),
      },
    ])
    const listings = fake.requests.filter((r) => r.path === '/v1/customers')
    expect(listings.map((r) => r.query.get('limit'))).toEqual(['1', '100', '100', '100'])
    expect(listings.slice(1).map((r) => r.query.has('starting_after'))).toEqual([false, true, true])

    const customers = await listedCustomers(api)
    expect(customers).toHaveLength(252)
    expect(customers.every((c) => c.source === 'stripe')).toBe(true)
    const withoutEmail = customers.filter((c) => c.mainContact === null).map((c) => c.name)
    expect(withoutEmail).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `Customer ${String((i + 1) * 25).padStart(3, '0')}`),
      'Typo Ltd',
    ])
    const seventh = await synced(api, ids[6] ?? '')
    expect(seventh.contacts).toMatchObject([
      { email: 'ap7@customer7.example', isMain: true, externalId: ids[6], source: 'stripe' },
    ])
    expect((await synced(api, ids[24] ?? '')).contacts).toEqual([])
    const company = customers.find((c) => c.name === 'Acme Industries SAS')
    expect(company).toMatchObject({
      vatNumber: 'FR40123456824',
      address: '12 rue des Lilas',
      postalCode: '75011',
      city: 'Paris',
      country: 'FR',
      currency: 'EUR',
    })
    expect((await synced(api, company.externalId as string)).contacts).toMatchObject([
      {
        email: 'billing@acme.example',
        firstName: null,
        lastName: 'Acme Industries SAS',
        phone: '+33184801234',
        isMain: true,
      },
    ])
  })
})

describe('the Stripe event feed', () => {
  const { fake, full, changes, ids } = withFake(stripeSpec)
  const seed = (count: number) => stripeSpec.seed(fake(), count)

  it('asks for a full run when the cursor is older than the 30 days Stripe keeps events', async () => {
    seed(1)
    const cursor = (await full()).at(-1)?.cursor
    fake().advance(31 * 86_400)
    const error = await sourceError(changes(cursor), 'not_found')
    expect(error).toBeInstanceOf(FullSyncRequiredError)
    expect(error.message).toContain('30 days')
  })

  it('keeps a quiet account’s cursor alive across months of runs without events', async () => {
    seed(1)
    let cursor = (await full()).at(-1)?.cursor
    for (let month = 0; month < 3; month++) {
      fake().advance(20 * 86_400)
      cursor = (await changes(cursor)).at(-1)?.cursor
    }
    const [late] = seed(1)
    expect(ids(await changes(cursor))).toEqual([late])
  })

  it('brings a customer created after the cursor', async () => {
    seed(2)
    const cursor = (await full()).at(-1)?.cursor
    fake().advance(600)
    const [x] = seed(1) as [string]
    expect(ids(await changes(cursor))).toEqual([x])
  })
})

describe('mapping a Stripe customer', () => {
  it('takes the company, address, VAT number and currency, and one main contact from the customer', () => {
    const { customer, skipped } = mapStripeCustomer(record('cus_Q4mXo2ZbTq81Lk'))
    expect(skipped).toEqual([])
    expect(customer).toEqual({
      externalId: 'cus_Q4mXo2ZbTq81Lk',
      name: 'Acme Industries SAS',
      accountingCode: null,
      vatNumber: 'FR40123456824',
      address: '12 rue des Lilas, Bâtiment B',
      postalCode: '75011',
      city: 'Paris',
      country: 'FR',
      currency: 'EUR',
      archived: false,
      contacts: [
        {
          externalId: 'cus_Q4mXo2ZbTq81Lk',
          email: 'billing@acme-industries.example',
          firstName: null,
          lastName: 'Acme Industries SAS',
          phone: '+33 1 84 80 12 34',
          role: null,
          isMain: true,
        },
      ],
    })
  })

  it('syncs a customer without an email with no contact at all', () => {
    const { customer, skipped } = mapStripeCustomer(record('cus_NoEmail0000001'))
    expect(customer?.name).toBe('Bolt Logistics GmbH')
    expect(customer?.contacts).toEqual([])
    expect(skipped).toEqual([])
  })

  it('names a customer without a name by its email, and upper-cases its country', () => {
    const { customer } = mapStripeCustomer(record('cus_NoName00000002'))
    expect(customer).toMatchObject({
      name: 'ap@cactus-supply.example',
      country: 'US',
      currency: 'USD',
      address: '500 Congress Ave, TX',
    })
    expect(customer?.contacts).toMatchObject([
      { email: 'ap@cactus-supply.example', lastName: null, isMain: true },
    ])
  })

  it('does not take an EIN for a VAT number', () => {
    expect(mapStripeCustomer(record('cus_NoName00000002')).customer?.vatNumber).toBeNull()
  })

  it('names a customer with neither name nor email by its description, and prefers the EU VAT id', () => {
    const { customer } = mapStripeCustomer(record('cus_DescOnly000003'))
    expect(customer).toMatchObject({ name: 'Dunmore Tea Rooms', vatNumber: 'DE123456789' })
    expect(customer?.contacts).toEqual([])
  })

  it('prefers the VAT id of the customer’s own country', () => {
    const raw = structuredClone(record('cus_DescOnly000003'))
    raw.address = { country: 'GB', line1: null, line2: null, city: null, postal_code: null }
    expect(mapStripeCustomer(raw).customer?.vatNumber).toBe('GB123456789')
  })

  it('keeps a customer whose email is not valid, without a contact, and reports why', () => {
    const { customer, skipped } = mapStripeCustomer(record('cus_BadEmail000004'))
    expect(customer?.name).toBe('Delta Foods')
    expect(customer?.contacts).toEqual([])
    expect(skipped).toEqual([
      {
        externalId: 'cus_BadEmail000004',
        reason: expect.stringContaining('"accounts at delta-foods"'),
      },
    ])
  })

  it('skips a record that is not a readable customer and says which field is wrong', () => {
    const { customer, skipped } = mapStripeCustomer(record('cus_Broken00000005'))
    expect(customer).toBeNull()
    expect(skipped).toEqual([
      { externalId: 'cus_Broken00000005', reason: expect.stringContaining('created') },
    ])
  })

  it('never reads the stub Stripe answers for a deleted customer as a live customer', () => {
    expect(stripeDeletedCustomer.safeParse(deletedStub).success).toBe(true)
    expect(stripeDeletedCustomer.safeParse(record('cus_Q4mXo2ZbTq81Lk')).success).toBe(false)
    expect(mapStripeCustomer(deletedStub).customer).toBeNull()
  })

  it('archives a customer deleted at Stripe, keeping its last known details', () => {
    const deleted = events.data.find((e: { type: string }) => e.type === 'customer.deleted')
    const { customer } = mapStripeCustomer(deleted.data.object, { deleted: true })
    expect(customer).toMatchObject({ externalId: 'cus_Gone0000000006', name: 'Gone SpA' })
    expect(customer?.archived).toBe(true)
    expect(customer?.contacts).toMatchObject([{ email: 'amministrazione@gone.example' }])
  })
})

describe('Stripe connection settings', () => {
  const message = (result: { error?: { issues: { message: string }[] } }) =>
    result.error?.issues[0]?.message
  it('takes an optional base URL that is a server address only', () => {
    expect(stripeConnector.settings.safeParse({}).success).toBe(true)
    expect(stripeConnector.settings.parse({ baseUrl: 'http://localhost:12111' })).toEqual({
      baseUrl: 'http://localhost:12111',
    })
    expect(message(stripeConnector.settings.safeParse({ baseUrl: 'http://proxy/stripe' }))).toBe(
      'The Stripe base URL is a server address only, like http://localhost:12111 (no path).',
    )
    expect(stripeConnector.settings.safeParse({ baseUrl: 'ftp://files' }).success).toBe(false)
    expect(stripeConnector.settings.safeParse({ site: 'acme' }).success).toBe(false)
  })

  it('needs an API key, and a signing secret that looks like one when given', () => {
    expect(message(stripeConnector.secrets.safeParse({ apiKey: ' ' }))).toContain('API key')
    const secret = stripeConnector.secrets.safeParse({ apiKey: 'sk_test_1', webhookSecret: 'abc' })
    expect(message(secret)).toContain('whsec_')
  })
})
