import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FullSyncRequiredError } from '../../src/modules/sources/connectors/common.ts'
import { StripeFake } from '../fakes/stripe/fake-server.ts'
import { stripeConnector } from '../../src/modules/sources/connectors/stripe/index.ts'
import { mapStripeCustomer } from '../../src/modules/sources/connectors/stripe/map.ts'
import {
  stripeDeletedCustomer,
  type StripeSecrets,
} from '../../src/modules/sources/connectors/stripe/schemas.ts'
import type { SourcePage } from '../../src/modules/sources/connectors/types.ts'
import { allPages, fixture, sourceError, webhookReceiver } from './connector-support.ts'

const list = await fixture('stripe', 'customers-list')
const events = await fixture('stripe', 'events-list')
const deletedStub = await fixture('stripe', 'deleted-customer')
const record = (id: string) => list.data.find((c: { id: string }) => c.id === id)

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

describe('the Stripe connector against its fake', () => {
  let fake: StripeFake
  let secrets: StripeSecrets
  const settings = () => ({ baseUrl: fake.url })
  const full = (cursor: unknown = null) =>
    allPages(stripeConnector, { settings: settings(), secrets, cursor, mode: 'full' })
  const changes = (cursor: unknown) =>
    allPages(stripeConnector, { settings: settings(), secrets, cursor, mode: 'incremental' })
  const ids = (pages: SourcePage[]) => pages.flatMap((p) => p.customers.map((c) => c.externalId))

  beforeEach(async () => {
    fake = await StripeFake.start({ now: 1_750_000_000 })
    secrets = { apiKey: fake.apiKey, webhookSecret: fake.webhookSecret }
  })
  afterEach(async () => {
    await fake.stop()
  })

  /** Customers created an hour ago, so a full run now starts the feed after them. */
  function seed(count: number): string[] {
    const created = Array.from({ length: count }, (_, i) =>
      String(fake.createCustomer({ name: `Customer ${i}`, email: `c${i}@example.com` }).id),
    )
    fake.advance(3600)
    return created
  }

  it('checks the key with one call to the fake, and refuses a wrong key as revoked', async () => {
    await stripeConnector.check(settings(), secrets)
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/customers'])
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${fake.apiKey}`)
    const error = await sourceError(
      stripeConnector.check(settings(), { apiKey: 'sk_test_wrong' }),
      'auth_revoked',
    )
    expect(error.message).toContain('Invalid API Key')
  })

  it('lists every customer across pages of 100, following starting_after', async () => {
    const created = seed(250)
    const pages = await full()
    expect(pages.map((p) => p.customers.length)).toEqual([100, 100, 50])
    expect(new Set(ids(pages))).toEqual(new Set(created))
    const calls = fake.requests.filter((r) => r.path === '/v1/customers')
    expect(calls.map((r) => r.query.get('limit'))).toEqual(['100', '100', '100'])
    expect(calls.map((r) => r.query.get('expand[0]'))).toEqual(Array(3).fill('data.tax_ids'))
    expect(calls[0]?.query.get('starting_after')).toBeNull()
    expect(calls[1]?.query.get('starting_after')).toBe(ids(pages).at(99))
    expect(calls[2]?.query.get('starting_after')).toBe(ids(pages).at(199))
  })

  it('ends a full run with a cursor that follows changes from when the run began', async () => {
    seed(3)
    const pages = await full()
    expect(pages.at(-1)?.cursor).toEqual({
      v: 1,
      created: fake.now() - 300,
      seen: [],
      coveredUntil: fake.now() - 300,
    })
  })

  it('resumes a full run cut short after the last page it applied', async () => {
    const created = seed(150)
    const first = (await full())[0] as SourcePage
    fake.requests.length = 0
    const rest = await full(first.cursor)
    expect(ids(rest)).toHaveLength(50)
    expect(new Set([...first.customers.map((c) => c.externalId), ...ids(rest)])).toEqual(
      new Set(created),
    )
    expect(fake.requests[0]?.query.get('starting_after')).toBe(first.customers.at(-1)?.externalId)
  })

  it('follows only what changed since the cursor: updates, deletions and tax ids', async () => {
    const [a, b, c, d] = seed(6) as [string, string, string, string]
    const cursor = (await full()).at(-1)?.cursor
    fake.advance(60)
    fake.updateCustomer(a, { email: 'new-ap@example.com' })
    fake.updateCustomer(a, { name: 'Renamed twice' })
    fake.deleteCustomer(b)
    fake.addTaxId(c, { type: 'eu_vat', value: 'FR40303265045', country: 'FR' })
    const e = String(fake.createCustomer({ name: 'Newcomer' }).id)
    fake.updateCustomer(d, { phone: '+33 6 00 00 00 00' })
    const pages = await changes(cursor)
    const got = new Map(pages.flatMap((p) => p.customers).map((x) => [x.externalId, x]))
    expect([...got.keys()].sort()).toEqual([a, b, c, d, e].sort())
    expect(got.get(a)).toMatchObject({ name: 'Renamed twice', archived: false })
    expect(got.get(a)?.contacts[0]?.email).toBe('new-ap@example.com')
    expect(got.get(b)).toMatchObject({ archived: true, name: 'Customer 1' })
    expect(got.get(c)?.vatNumber).toBe('FR40303265045')
    expect(got.get(e)?.contacts).toEqual([])
    const events = fake.requests.filter((r) => r.path === '/v1/events')
    expect(events[0]?.query.get('created[gte]')).toBe(String(fake.now() - 60 - 300))
    expect(events[0]?.query.getAll('types[0]')).toEqual(['customer.created'])
  })

  it('moves the cursor forward so a second run finds nothing new', async () => {
    seed(2)
    const cursor = (await full()).at(-1)?.cursor
    fake.advance(600)
    const [x] = seed(1) as [string]
    const first = await changes(cursor)
    expect(ids(first)).toEqual([x])
    const second = await changes(first.at(-1)?.cursor)
    expect(ids(second)).toEqual([])
    expect(second).toHaveLength(1)
  })

  it('loses nothing when many events share one second across pages and a resumed run', async () => {
    const created = seed(150)
    const cursor = (await full()).at(-1)?.cursor
    fake.advance(1000)
    for (const id of created) fake.updateCustomer(id, { phone: '+44 20 0000 0000' })
    const pages = await changes(cursor)
    expect(pages.map((p) => p.customers.length)).toEqual([100, 50])
    expect(new Set(ids(pages))).toEqual(new Set(created))
    // A run that stopped after its first page picks up exactly the other 50.
    const resumed = await changes(pages[0]?.cursor)
    expect(new Set(ids(resumed))).toEqual(new Set(ids(pages.slice(1))))
    // An event written later in that same second is not lost either.
    const last = created[0] as string
    fake.updateCustomer(last, { name: 'Same second' })
    const after = await changes(pages.at(-1)?.cursor)
    expect(ids(after)).toEqual([last])
    expect(after[0]?.customers[0]?.name).toBe('Same second')
  })

  it('asks for a full run when the cursor is older than the 30 days Stripe keeps events', async () => {
    seed(1)
    const cursor = (await full()).at(-1)?.cursor
    fake.advance(31 * 86_400)
    const error = await sourceError(changes(cursor), 'not_found')
    expect(error).toBeInstanceOf(FullSyncRequiredError)
    expect(error.message).toContain('30 days')
  })

  it('keeps a quiet account’s cursor alive across months of runs without events', async () => {
    seed(1)
    let cursor = (await full()).at(-1)?.cursor
    for (let month = 0; month < 3; month++) {
      fake.advance(20 * 86_400)
      cursor = (await changes(cursor)).at(-1)?.cursor
    }
    const [late] = seed(1)
    expect(ids(await changes(cursor))).toEqual([late])
  })

  it('asks for a full run when there is no cursor or a full run stopped half-way', async () => {
    seed(150)
    await sourceError(changes(null), 'not_found')
    const halfWay = (await full())[0]?.cursor
    const error = await sourceError(changes(halfWay), 'not_found')
    expect(error.message).toContain('did not finish')
  })

  it('classifies 429 as rate-limited with Retry-After, without retrying on its own', async () => {
    seed(1)
    fake.failNext(1, { status: 429, retryAfter: 7 })
    const limited = await sourceError(full(), 'rate_limited')
    expect(limited.retryAfterMs).toBe(7000)
    expect(fake.requests).toHaveLength(1)
    fake.failNext(1, { status: 429 })
    expect((await sourceError(full(), 'rate_limited')).retryAfterMs).toBeNull()
  })

  it('classifies a 500 and a dropped connection as temporary, and a rolled key as revoked', async () => {
    seed(1)
    fake.failNext(1, { status: 500 })
    await sourceError(full(), 'temporary')
    expect(fake.requests).toHaveLength(1)
    fake.failNext(1, { status: 'drop' })
    await sourceError(full(), 'temporary')
    expect(fake.requests).toHaveLength(2)
    fake.failNext(1, { status: 403 })
    await sourceError(full(), 'auth_revoked')
    fake.revokeKey()
    await sourceError(full(), 'auth_revoked')
  })

  it('classifies a server that is not there as temporary', async () => {
    const url = fake.url
    await fake.stop()
    await sourceError(stripeConnector.check({ baseUrl: url }, secrets), 'temporary')
    fake = await StripeFake.start()
  })

  it('stops listing when the run is cancelled', async () => {
    seed(250)
    const controller = new AbortController()
    const seen: SourcePage[] = []
    const run = (async () => {
      for await (const page of stripeConnector.list({
        settings: settings(),
        secrets,
        cursor: null,
        mode: 'full',
        signal: controller.signal,
      })) {
        seen.push(page)
        controller.abort(new Error('cancelled'))
      }
    })()
    await expect(run).rejects.toThrow('cancelled')
    expect(seen).toHaveLength(1)
  })
})

describe('Stripe webhooks', () => {
  let fake: StripeFake
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>
  let secrets: StripeSecrets

  beforeEach(async () => {
    fake = await StripeFake.start()
    fake.createCustomer({ name: 'Hooked', email: 'hook@example.com' })
    secrets = { apiKey: fake.apiKey, webhookSecret: fake.webhookSecret }
    receiver = await webhookReceiver((headers, rawBody) => {
      stripeConnector.verifyWebhook({ headers, rawBody }, {}, secrets)
    })
  })
  afterEach(async () => {
    await receiver.close()
    await fake.stop()
  })

  it('accepts an event signed with the endpoint secret', async () => {
    expect((await fake.sendWebhook(receiver.url)).status).toBe(204)
  })

  it('refuses a body changed after signing', async () => {
    const answer = await fake.sendWebhook(receiver.url, { tamper: true })
    expect(answer).toEqual({ status: 401, body: expect.stringContaining('does not match') })
  })

  it('refuses a signature older than five minutes', async () => {
    const timestamp = Math.floor(Date.now() / 1000) - 301
    expect((await fake.sendWebhook(receiver.url, { timestamp })).status).toBe(401)
    expect((await fake.sendWebhook(receiver.url, { timestamp: timestamp + 30 })).status).toBe(204)
  })

  it('refuses an event signed with another secret, or with no signature', async () => {
    expect((await fake.sendWebhook(receiver.url, { secret: 'whsec_other' })).status).toBe(401)
    const unsigned = await fetch(receiver.url, { method: 'POST', body: '{}' })
    expect(unsigned.status).toBe(401)
    expect(await unsigned.text()).toContain('no Stripe-Signature')
  })

  it('refuses every call when no signing secret is configured', async () => {
    secrets = { apiKey: fake.apiKey }
    const answer = await fake.sendWebhook(receiver.url)
    expect(answer).toEqual({ status: 401, body: expect.stringContaining('whsec_') })
  })
})
