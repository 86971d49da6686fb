import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChargebeeFake } from '../fakes/chargebee/fake-server.ts'
import { chargebeeConnector } from '../../src/modules/sources/connectors/chargebee/index.ts'
import { mapChargebeeCustomer, roleOf } from '../../src/modules/sources/connectors/chargebee/map.ts'
import type {
  ChargebeeSecrets,
  ChargebeeSettings,
} from '../../src/modules/sources/connectors/chargebee/schemas.ts'
import { FullSyncRequiredError } from '../../src/modules/sources/connectors/common.ts'
import type { SourcePage } from '../../src/modules/sources/connectors/types.ts'
import { allPages, fixture, sourceError, webhookReceiver } from './connector-support.ts'

const list = await fixture('chargebee', 'customers-list')
const deleted = await fixture('chargebee', 'customers-deleted')
const contactsPage = await fixture('chargebee', 'contacts-list')
const record = (from: any, id: string) =>
  from.list.find((item: any) => item.customer.id === id).customer

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

describe('the Chargebee connector against its fake', () => {
  let fake: ChargebeeFake
  let settings: ChargebeeSettings
  let secrets: ChargebeeSecrets
  const full = (cursor: unknown = null) =>
    allPages(chargebeeConnector, { settings, secrets, cursor, mode: 'full' })
  const changes = (cursor: unknown) =>
    allPages(chargebeeConnector, { settings, secrets, cursor, mode: 'incremental' })
  const ids = (pages: SourcePage[]) => pages.flatMap((p) => p.customers.map((c) => c.externalId))
  const listCalls = () => fake.requests.filter((r) => r.path === '/api/v2/customers')

  beforeEach(async () => {
    fake = await ChargebeeFake.start({ now: 1_750_000_000 })
    settings = { site: fake.site, baseUrl: fake.url }
    secrets = { apiKey: fake.apiKey }
  })
  afterEach(async () => {
    await fake.stop()
  })

  /** Customers written one second apart, then an hour passes. */
  function seed(count: number): string[] {
    const created = Array.from({ length: count }, (_, i) => {
      fake.advance(1)
      return String(
        fake.createCustomer({ id: `c-${i}`, company: `Company ${i}`, email: `c${i}@example.com` })
          .id,
      )
    })
    fake.advance(3600)
    return created
  }

  it('checks the key with one call, with the key as Basic user name, and refuses a wrong key', async () => {
    await chargebeeConnector.check(settings, secrets)
    expect(fake.requests).toHaveLength(1)
    const auth = fake.requests[0]?.headers.authorization ?? ''
    expect(Buffer.from(auth.replace('Basic ', ''), 'base64').toString()).toBe(`${fake.apiKey}:`)
    const error = await sourceError(
      chargebeeConnector.check(settings, { apiKey: 'wrong' }),
      'auth_revoked',
    )
    expect(error.message).toContain('authentication failed')
  })

  it('lists every customer across pages of 100, following next_offset, oldest change first', async () => {
    const created = seed(250)
    const pages = await full()
    expect(pages.map((p) => p.customers.length)).toEqual([100, 100, 50])
    expect(ids(pages)).toEqual(created)
    const calls = listCalls()
    expect(calls.map((r) => r.query.get('limit'))).toEqual(['100', '100', '100'])
    expect(calls.map((r) => r.query.get('sort_by[asc]'))).toEqual(Array(3).fill('updated_at'))
    expect(calls[0]?.query.get('offset')).toBeNull()
    expect(JSON.parse(calls[1]?.query.get('offset') ?? 'null')).toHaveLength(2)
    expect(calls.every((r) => r.query.get('include_deleted') === null)).toBe(true)
  })

  it('ends a full run with a cursor starting from when the run began', async () => {
    seed(2)
    expect((await full()).at(-1)?.cursor).toEqual({
      v: 1,
      updatedAt: fake.now() - 60,
      seen: {},
    })
  })

  it('resumes a full run cut short at the offset it reached', async () => {
    const created = seed(150)
    const first = (await full())[0] as SourcePage
    const rest = await full(first.cursor)
    expect([...first.customers.map((c) => c.externalId), ...ids(rest)]).toEqual(created)
  })

  it('reads the contacts endpoint, page by page, when customers come without contacts[]', async () => {
    fake.contactsInList = false
    fake.createCustomer({
      id: 'many',
      email: 'main@many.example',
      contacts: Array.from({ length: 130 }, (_, i) => ({ email: `p${i}@many.example` })),
    })
    fake.createCustomer({ id: 'none', email: 'only@none.example' })
    const pages = await full()
    const many = pages[0]?.customers.find((c) => c.externalId === 'many')
    expect(many?.contacts).toHaveLength(131)
    const calls = fake.requests.filter((r) => r.path === '/api/v2/customers/many/contacts')
    expect(calls.map((r) => r.query.get('limit'))).toEqual(['100', '100'])
    expect(calls[1]?.query.get('offset')).not.toBeNull()
    expect(pages[0]?.customers.find((c) => c.externalId === 'none')?.contacts).toHaveLength(1)
  })

  it('trusts a listing that shows contacts[]: a customer listed without it has none', async () => {
    fake.createCustomer({
      id: 'with',
      email: 'a@with.example',
      contacts: [{ email: 'b@with.example' }],
    })
    seed(3)
    const pages = await full()
    expect(ids(pages)).toEqual(['with', 'c-0', 'c-1', 'c-2'])
    expect(fake.requests.filter((r) => r.path.endsWith('/contacts'))).toEqual([])
    const customers = pages.flatMap((p) => p.customers)
    expect(customers.map((c) => c.contacts.length)).toEqual([2, 1, 1, 1])
  })

  it('follows only what changed since the cursor, deletions and cleared data included', async () => {
    seed(6)
    const cursor = (await full()).at(-1)?.cursor
    fake.advance(120)
    fake.updateCustomer('c-0', { company: 'Renamed' })
    fake.deleteCustomer('c-1')
    fake.clearPersonalData('c-2')
    const added = fake.addContact('c-3', { email: 'new@c3.example', label: 'Billing' })
    fake.createCustomer({ id: 'newcomer', company: 'Newcomer' })
    const pages = await changes(cursor)
    const got = new Map(pages.flatMap((p) => p.customers).map((c) => [c.externalId, c]))
    expect([...got.keys()]).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'newcomer'])
    expect(got.get('c-0')).toMatchObject({ name: 'Renamed', archived: false })
    expect(got.get('c-1')?.archived).toBe(true)
    expect(got.get('c-2')).toMatchObject({ archived: true, contacts: [] })
    expect(got.get('c-3')?.contacts.map((c) => c.externalId)).toEqual(['c-3', added.id])
    const call = listCalls().at(-1)
    expect(call?.query.get('updated_at[after]')).toBe(String(fake.now() - 120 - 60 - 1))
    expect(call?.query.get('include_deleted')).toBe('true')
    expect(call?.query.get('sort_by[asc]')).toBe('updated_at')
  })

  it('moves the cursor to the last change, so the next run finds nothing new', async () => {
    seed(3)
    const cursor = (await full()).at(-1)?.cursor
    fake.advance(600)
    fake.updateCustomer('c-1', { phone: '+33 6 00 00 00 00' })
    const first = await changes(cursor)
    expect(ids(first)).toEqual(['c-1'])
    expect(first.at(-1)?.cursor).toMatchObject({ updatedAt: fake.now() })
    fake.advance(60)
    expect(ids(await changes(first.at(-1)?.cursor))).toEqual([])
  })

  it('loses nothing when many customers share one second across pages and runs', async () => {
    const created = seed(150)
    const cursor = (await full()).at(-1)?.cursor
    fake.advance(1000)
    for (const id of created) fake.updateCustomer(id, { phone: '+44 20 0000 0000' })
    const pages = await changes(cursor)
    expect(pages.map((p) => p.customers.length)).toEqual([100, 50])
    expect(ids(pages)).toEqual(created)
    // A run stopped after its first page picks up exactly the other 50.
    expect(ids(await changes(pages[0]?.cursor))).toEqual(created.slice(100))
    // A change written later in that same second is not lost, and nothing is read twice.
    fake.updateCustomer('c-7', { company: 'Same second' })
    const after = await changes(pages.at(-1)?.cursor)
    expect(ids(after)).toEqual(['c-7'])
    expect(after.flatMap((p) => p.customers)[0]?.name).toBe('Same second')
  })

  it('asks for a full run when there is no cursor or a full run stopped half-way', async () => {
    seed(150)
    const none = await sourceError(changes(null), 'not_found')
    expect(none).toBeInstanceOf(FullSyncRequiredError)
    const halfWay = (await full())[0]?.cursor
    expect((await sourceError(changes(halfWay), 'not_found')).message).toContain('did not finish')
  })

  it('classifies 429 as rate-limited with Retry-After, without retrying on its own', async () => {
    seed(1)
    fake.failNext(1, { status: 429, retryAfter: 30 })
    expect((await sourceError(full(), 'rate_limited')).retryAfterMs).toBe(30_000)
    expect(fake.requests).toHaveLength(1)
    fake.failNext(1, { status: 429 })
    expect((await sourceError(full(), 'rate_limited')).retryAfterMs).toBeNull()
  })

  it('classifies server errors and dropped connections as temporary, a revoked key as such', async () => {
    seed(1)
    for (const status of [500, 503] as const) {
      fake.requests.length = 0
      fake.failNext(1, { status })
      await sourceError(full(), 'temporary')
      expect(fake.requests).toHaveLength(1)
    }
    fake.requests.length = 0
    fake.failNext(1, { status: 'drop' })
    await sourceError(full(), 'temporary')
    expect(fake.requests).toHaveLength(1)
    fake.failNext(1, { status: 403 })
    await sourceError(full(), 'auth_revoked')
    fake.revokeKey()
    await sourceError(full(), 'auth_revoked')
  })

  it('says the site is unknown when Chargebee answers 404 to the check', async () => {
    const error = await sourceError(
      chargebeeConnector.check({ ...settings, baseUrl: `${fake.url}/nowhere` }, secrets),
      'not_found',
    )
    expect(error.message).toContain(`no site "${fake.site}"`)
  })

  it('stops listing when the run is cancelled', async () => {
    seed(250)
    const controller = new AbortController()
    const seen: SourcePage[] = []
    const run = (async () => {
      const request = { settings, secrets, cursor: null, mode: 'full' as const }
      for await (const page of chargebeeConnector.list({ ...request, signal: controller.signal })) {
        seen.push(page)
        controller.abort(new Error('cancelled'))
      }
    })()
    await expect(run).rejects.toThrow('cancelled')
    expect(seen).toHaveLength(1)
  })

  it('classifies a server that is not there as temporary', async () => {
    await fake.stop()
    await sourceError(chargebeeConnector.check(settings, secrets), 'temporary')
    fake = await ChargebeeFake.start()
  })

  it('reports a customer that cannot be read and goes on with the others', async () => {
    fake.createCustomer({ id: 'fine', email: 'fine@example.com' })
    fake.putRawCustomer({ id: 'odd', object: 'customer', email: 42, deleted: false })
    const [page] = await full()
    expect(page?.customers.map((c) => c.externalId)).toEqual(['fine'])
    expect(page?.skipped).toEqual([{ externalId: 'odd', reason: expect.stringContaining('email') }])
  })
})

describe('Chargebee webhooks', () => {
  let fake: ChargebeeFake
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>
  let secrets: ChargebeeSecrets

  beforeEach(async () => {
    fake = await ChargebeeFake.start()
    fake.createCustomer({ id: 'hooked', email: 'hook@example.com' })
    secrets = {
      apiKey: fake.apiKey,
      webhookUsername: fake.webhookUsername,
      webhookPassword: fake.webhookPassword,
    }
    receiver = await webhookReceiver((headers, rawBody) => {
      chargebeeConnector.verifyWebhook({ headers, rawBody }, { site: fake.site }, secrets)
    })
  })
  afterEach(async () => {
    await receiver.close()
    await fake.stop()
  })

  it('accepts a call with the endpoint’s user name and password', async () => {
    expect((await fake.sendWebhook(receiver.url)).status).toBe(204)
  })

  it('refuses a wrong password, a wrong user name, or no credentials', async () => {
    expect((await fake.sendWebhook(receiver.url, { password: 'guess' })).status).toBe(401)
    expect((await fake.sendWebhook(receiver.url, { username: 'someone' })).status).toBe(401)
    const none = await fake.sendWebhook(receiver.url, { credentials: null })
    expect(none).toEqual({ status: 401, body: expect.stringContaining('no Basic credentials') })
  })

  it('refuses every call when no webhook credentials are configured', async () => {
    secrets = { apiKey: fake.apiKey }
    const answer = await fake.sendWebhook(receiver.url)
    expect(answer).toEqual({ status: 401, body: expect.stringContaining('user name and password') })
  })
})
