// Sellsy as the shared suites and the sync benchmark drive it.
import { expect } from 'vitest'
import { sellsyConnector } from '../../../src/modules/sources/connectors/sellsy/index.ts'
import type {
  SellsySecrets,
  SellsySettings,
} from '../../../src/modules/sources/connectors/sellsy/schemas.ts'
import { SellsyFake } from '../../fakes/sellsy/fake-server.ts'
import { fixture } from '../support.ts'
import { synced } from '../../sources/fakes.ts'
import type { ConnectorSpec } from '../conformance.ts'
import type { SyncSpec } from '../sync-conformance.ts'

export const companies = await fixture('sellsy', 'companies-search')
export const companyContacts = await fixture('sellsy', 'company-contacts')
export const individuals = await fixture('sellsy', 'individuals-search')

export const searches = (fake: SellsyFake, kind = 'companies') =>
  fake.requests.filter((r) => r.path === `/v2/${kind}/search`)

/** The changes cursor with every list from `at`, nothing seen. */
export const from = (at: number) => ({
  v: 1,
  companies: { at, seen: {} },
  individuals: { at, seen: {} },
  contacts: { at, seen: {} },
})

export const sellsySpec: ConnectorSpec<SellsyFake, SellsySettings, SellsySecrets> = {
  label: 'Sellsy',
  connector: sellsyConnector,
  start: (options) => SellsyFake.start(options),
  settings: (fake) => ({ baseUrl: fake.url }),
  secrets: (fake) => fake.secrets,
  wrongSecrets: { clientId: 'wrong', clientSecret: 'wrong' },
  refusedKeySays: 'Client authentication failed',
  // By id in a full run, by change time in an incremental one: the order of writing, both.
  ordered: true,
  seed: (fake, count) => {
    const created = Array.from({ length: count }, (_, i) =>
      String(
        fake.createCompany({
          name: `Company ${i}`,
          contacts: [{ email: `c${i}@example.com`, main: true }],
        }),
      ),
    )
    fake.advance(3600)
    return created
  },
  rename: (fake, id, name) => {
    fake.updateCompany(Number(id), { name })
  },
  touch: (fake, id) => {
    fake.updateCompany(Number(id), { phone_number: '+33 1 00 00 00 00' })
  },
  // Archived at Sellsy (a deletion leaves no trace: the full run finds it, see `forget`).
  remove: (fake, id) => {
    fake.archiveCompany(Number(id))
  },
  create: (fake, name) => String(fake.createCompany({ name })),
  expectCheckCalls: (fake) => {
    // A token by client credentials, then one company.
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /oauth2/access-tokens',
      'GET /v2/companies',
    ])
    const form = new URLSearchParams(fake.requests[0]?.body)
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'client_credentials',
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
    })
    expect(fake.requests[1]?.query.get('limit')).toBe('1')
    expect(fake.requests[1]?.headers.authorization).toMatch(/^Bearer \S+$/)
  },
  expectPagingCalls: (fake) => {
    // Client companies by id, following the seek offsets; then the individuals.
    const calls = searches(fake)
    expect(calls.map((r) => r.query.get('limit'))).toEqual(['100', '100', '100'])
    expect(calls.map((r) => r.query.get('order'))).toEqual(['id', 'id', 'id'])
    expect(calls[0]?.query.get('offset')).toBeNull()
    expect(calls[1]?.query.get('offset')).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(calls.map((r) => JSON.parse(r.body))).toEqual(
      Array(3).fill({ filters: { type: ['client'], is_archived: false } }),
    )
    expect(searches(fake, 'individuals')).toHaveLength(1)
  },
  fullRunCursor: (fake) => from(fake.now() - 60),
  changeGap: 120,
  moreChanges: (fake, seeded) => {
    const [, , supplier = '', switched = ''] = seeded
    // Now a supplier: no longer a customer. And a new main contact.
    fake.updateCompany(Number(supplier), { type: 'supplier' })
    fake.addContact(Number(switched), { email: 'boss@c3.example', main: true })
    return [supplier, switched]
  },
  expectChanges: (fake, got, seeded) => {
    const [, , supplier = '', switched = ''] = seeded
    expect(got.get(supplier)).toMatchObject({ archived: true, contacts: [] })
    expect(got.get(switched)?.contacts.map((c) => [c.email, c.isMain])).toEqual([
      ['boss@c3.example', true],
      ['c3@example.com', false],
    ])
    const since = new Date((fake.now() - 120 - 60) * 1000).toISOString()
    for (const kind of ['companies', 'individuals']) {
      const call = searches(fake, kind).at(-1)
      expect(JSON.parse(call?.body ?? '')).toEqual({ filters: { updated_at: { start: since } } })
      expect(call?.query.get('order')).toBe('updated_at')
    }
    const contacts = searches(fake, 'contacts').at(-1)
    expect(JSON.parse(contacts?.body ?? '')).toEqual({ filters: { updated: { start: since } } })
  },
  expectCursorAfterChange: (fake, cursor) => {
    expect(cursor).toMatchObject({ companies: { at: fake.now() } })
  },
}

/**
 * Acme Industries SAS: its main contact, its invoicing contact, one archived and one without an
 * email.
 */
export const acme = (fake: SellsyFake) =>
  fake.createCompany({
    name: 'Acme Industries SAS',
    vat: 'FR40123456824',
    auxiliary_code: '411ACME',
    address: {
      address_line_1: '12 rue des Lilas',
      postal_code: '75011',
      city: 'Paris',
      country: 'France',
      country_code: 'FR',
    },
    contacts: [
      {
        first_name: 'Marie',
        last_name: 'Dubois',
        email: 'marie@acme.example',
        phone_number: '01 84 80 12 34',
        main: true,
      },
      { first_name: 'Paul', email: 'ap@acme.example', invoicing: true },
      { first_name: 'Old', email: 'old@acme.example', is_archived: true },
      { first_name: 'Workshop', email: null },
    ],
  })

export const people = (customer: any) =>
  customer.contacts.map((c: any) => [c.email, c.isMain, c.role])

export const sellsySync: SyncSpec<SellsyFake> = {
  system: 'sellsy',
  label: 'Sellsy',
  start: () => SellsyFake.start(),
  connection: (fake) => ({ settings: { baseUrl: fake.url }, secrets: fake.secrets }),
  /** The first incremental run reads again the last minute before the full run began. */
  later: (fake) => {
    fake.advance(120)
  },
  acme: (fake) => String(acme(fake)),
  create: (fake, { name, email }) =>
    String(fake.createCompany({ name, contacts: email ? [{ email, main: true }] : [] })),
  rename: (fake, id, name) => {
    fake.updateCompany(Number(id), { name })
  },
  remove: (fake, id) => {
    fake.archiveCompany(Number(id))
  },
  forget: (fake, id) => {
    fake.deleteCompany(Number(id))
  },
  incremental: {
    fill: (fake) => {
      const acmeId = acme(fake)
      const bolt = fake.createCompany({
        name: 'Bolt GmbH',
        contacts: [
          { email: 'ap@bolt.example', first_name: 'Anna', main: true },
          { email: 'cfo@bolt.example', dunning: true },
        ],
      })
      fake.createCompany({ name: 'Cactus Supply' })
      return { acme: String(acmeId), other: String(bolt) }
    },
    // A contact archived and another added (changes of contacts only), a main contact replaced.
    change: (fake, ids) => {
      const paul = contactId(fake, ids.acme, 'ap@acme.example')
      fake.updateContact(paul, { first_name: 'Pauline', is_archived: true })
      fake.addContact(Number(ids.acme), { id: 99001, email: 'new@acme.example' })
      fake.setMainContact(Number(ids.other), contactId(fake, ids.other, 'cfo@bolt.example'))
    },
    expect: async (api, ids) => {
      const after = await synced(api, ids.acme)
      expect(people(after)).toEqual([
        ['marie@acme.example', true, null],
        ['new@acme.example', false, null],
      ])
      expect(people(await synced(api, ids.other))).toEqual([
        ['cfo@bolt.example', true, 'PAYER'],
        ['ap@bolt.example', false, null],
      ])
    },
  },
  owned: {
    field: 'vatNumber',
    value: 'FR00000000000',
    column: 'VAT number',
    imported: 'FR111',
    kept: { vatNumber: 'FR40123456824' },
  },
  changeContacts: (fake, acmeId) => {
    fake.updateContact(contactId(fake, acmeId, 'marie@acme.example'), {
      email: 'new-main@acme.example',
    })
    fake.addContact(Number(acmeId), { email: 'more@acme.example' })
  },
  serverErrorSays: 'error 500: Internal server error',
  revokedSays: 'Client authentication failed',
  wrongKey: 'not-the-secret',
  wrongKeySays: 'Client authentication failed',
  reconnection: {
    secrets: (fake, good) => ({
      clientId: fake.clientId,
      clientSecret: good ? fake.clientSecret : 'not-the-secret',
    }),
    again: 'check the client id and secret and try again',
  },
  crash: {
    expectStored: (stored) => {
      expect(stored.full).toMatchObject({ stream: 'companies', offset: expect.any(String) })
    },
    expectResumed: (fake, stored) => {
      expect(searches(fake).map((r) => r.query.get('offset'))).toEqual([stored.full.offset])
    },
    beforeChanges: () => undefined,
  },
}

/** The id of the company's contact with this email. */
export function contactId(fake: SellsyFake, company: string, email: string): number {
  const ids = fake.links.companies.get(Number(company)) ?? []
  const id = ids.find((one) => fake.contacts.get(one)?.email === email)
  if (id === undefined) throw new Error(`No contact ${email} at Sellsy company ${company}`)
  return id
}
