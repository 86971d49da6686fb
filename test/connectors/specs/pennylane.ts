// Pennylane as the shared suites and the sync benchmark drive it.
import { expect } from 'vitest'
import { pennylaneConnector } from '../../../src/modules/sources/connectors/pennylane/index.ts'
import type {
  PennylaneSecrets,
  PennylaneSettings,
} from '../../../src/modules/sources/connectors/pennylane/schemas.ts'
import { PennylaneFake } from '../../fakes/pennylane/fake-server.ts'
import { synced } from '../../sources/fakes.ts'
import { fixture } from '../support.ts'
import type { ConnectorSpec } from '../conformance.ts'
import type { SyncSpec } from '../sync-conformance.ts'

export const list = await fixture('pennylane', 'customers-list')
export const changelog = await fixture('pennylane', 'changelog-customers')
export const record = (id: number | string) => list.items.find((item: any) => item.id === id)

export const customerCalls = (fake: PennylaneFake) =>
  fake.requests.filter((r) => r.path === '/api/external/v2/customers')
export const changelogCalls = (fake: PennylaneFake) =>
  fake.requests.filter((r) => r.path === '/api/external/v2/changelogs/customers')

/** A time as the cursor keeps it: RFC 3339, to the second. */
export const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')

export const pennylaneSpec: ConnectorSpec<PennylaneFake, PennylaneSettings, PennylaneSecrets> = {
  label: 'Pennylane',
  connector: pennylaneConnector,
  start: (options) => PennylaneFake.start(options),
  settings: (fake) => ({ baseUrl: fake.url }),
  secrets: (fake) => ({ apiToken: fake.apiToken }),
  wrongSecrets: { apiToken: 'wrong' },
  refusedKeySays: 'Unauthorized',
  // Full runs by id (the creation order), changes in the changelog's order.
  ordered: true,
  seed: (fake, count) => {
    const created = Array.from({ length: count }, (_, i) =>
      String(fake.createCustomer({ name: `Company ${i}`, emails: [`c${i}@example.com`] }).id),
    )
    fake.advance(3600)
    return created
  },
  rename: (fake, id, name) => {
    fake.updateCustomer(id, { name })
  },
  touch: (fake, id) => {
    fake.updateCustomer(id, { phone: '+33 1 00 00 00 00' })
  },
  remove: (fake, id) => {
    fake.deleteCustomer(id)
  },
  create: (fake, name) => String(fake.createCustomer({ name }).id),
  expectCheckCalls: (fake) => {
    expect(fake.requests).toHaveLength(1)
    expect(fake.requests[0]?.path).toBe('/api/external/v2/customers')
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${fake.apiToken}`)
  },
  expectPagingCalls: (fake) => {
    // Following next_cursor, oldest id first.
    const calls = customerCalls(fake)
    expect(calls.map((r) => [r.query.get('limit'), r.query.get('sort')])).toEqual(
      Array(3).fill(['100', 'id']),
    )
    expect(calls[0]?.query.get('cursor')).toBeNull()
    expect(calls.slice(1).every((r) => r.query.get('cursor'))).toBe(true)
  },
  fullRunCursor: (fake) => ({ v: 1, after: iso(fake.now() - 60), seen: [] }),
  expectResumeCalls: (fake, first) => {
    const cursor = (first.cursor as { full: { cursor: string } }).full.cursor
    expect(customerCalls(fake).map((r) => r.query.get('cursor'))).toEqual([cursor])
  },
  changeGap: 120,
  moreChanges: (fake, seeded) => {
    const id = seeded[2] ?? ''
    fake.updateCustomer(id, { emails: ['new-main@c2.example', 'c2@example.com'] })
    return [id]
  },
  expectChanges: (fake, got, seeded) => {
    // A new first address makes a new main contact.
    expect(got.get(seeded[2] ?? '')?.contacts.map((c) => [c.email, c.isMain])).toEqual([
      ['new-main@c2.example', true],
      ['c2@example.com', false],
    ])
    const [call, ...more] = changelogCalls(fake)
    expect(more).toEqual([])
    expect(call?.query.get('start_date')).toBe(iso(fake.now() - 120 - 60))
    expect(call?.query.get('limit')).toBe('1000')
    expect(call?.query.get('cursor')).toBeNull()
    // The changed customers read back in one call, by id; the deleted one not at all.
    const [read, ...others] = customerCalls(fake).filter((r) => r.query.has('filter'))
    expect(others).toEqual([])
    const [renamed, , changed, newcomer] = [...got.keys()]
    expect(JSON.parse(read?.query.get('filter') ?? '[]')).toEqual([
      { field: 'id', operator: 'in', value: [renamed, changed, newcomer].map(Number) },
    ])
  },
  expectCursorAfterChange: (fake, cursor) => {
    const last = fake.changelog.at(-1)
    expect(cursor).toEqual({ v: 1, after: last?.processed_at, seen: [last?.id] })
  },
}

/** The contact rule's cases in one company: main first, duplicates in any case, a bad entry. */
export const acme = (fake: PennylaneFake) =>
  fake.createCustomer({
    name: 'Acme Industries SAS',
    emails: ['marie@acme.example', ' ap@acme.example', 'MARIE@acme.example', 'not an email'],
    phone: '01 84 80 12 34',
    vat_number: 'FR40123456824',
    billing_address: {
      address: '12 rue des Lilas',
      postal_code: '75011',
      city: 'Paris',
      country_alpha2: 'FR',
    },
  })

/** An individual customer: the main contact carries the person's name and phone. */
export const jeanne = (fake: PennylaneFake) =>
  fake.createCustomer({
    customer_type: 'individual',
    first_name: 'Jeanne',
    last_name: 'Roux',
    emails: ['jeanne@roux.example'],
    phone: '06 11 22 33 44',
    billing_address: { address: '8 allée des Tilleuls', city: 'Nantes', country_alpha2: 'FR' },
  })

export const people = (customer: any) =>
  customer.contacts.map((c: any) => [c.email, c.isMain, c.firstName, c.lastName])

export const pennylaneSync: SyncSpec<PennylaneFake> = {
  system: 'pennylane',
  label: 'Pennylane',
  start: () => PennylaneFake.start(),
  connection: (fake) => ({
    settings: { baseUrl: fake.url },
    secrets: { apiToken: fake.apiToken },
  }),
  /** The first incremental run reads the changelog from a minute before the full run began. */
  later: (fake) => {
    fake.advance(120)
  },
  acme: (fake) => String(acme(fake).id),
  create: (fake, { name, email }) =>
    String(fake.createCustomer({ name, emails: email ? [email] : [] }).id),
  rename: (fake, id, name) => {
    fake.updateCustomer(id, { name })
  },
  remove: (fake, id) => {
    fake.deleteCustomer(id)
  },
  forget: (fake, id) => {
    fake.customers.delete(Number(id))
  },
  incremental: {
    fill: (fake) => {
      const ids = { acme: String(acme(fake).id), other: String(jeanne(fake).id) }
      fake.createCustomer({ name: 'Cactus Supply' })
      return ids
    },
    // An address dropped and one added; a new first address that becomes the main contact.
    change: (fake, ids) => {
      fake.updateCustomer(ids.acme, { emails: ['marie@acme.example', 'new@acme.example'] })
      fake.updateCustomer(ids.other, { emails: ['jeanne.pro@roux.example', 'jeanne@roux.example'] })
    },
    expect: async (api, ids) => {
      expect(people(await synced(api, ids.acme))).toEqual([
        ['marie@acme.example', true, null, null],
        ['new@acme.example', false, null, null],
      ])
      const other = await synced(api, ids.other)
      expect(people(other)).toEqual([
        ['jeanne.pro@roux.example', true, 'Jeanne', 'Roux'],
        ['jeanne@roux.example', false, null, null],
      ])
      expect(other.contacts.map((c: any) => c.phone)).toEqual(['+33611223344', null])
    },
  },
  owned: {
    field: 'vatNumber',
    value: 'FR00000000000',
    column: 'VAT number',
    imported: 'FR111',
    kept: { vatNumber: 'FR40123456824' },
  },
  changeContacts: (fake, id) => {
    fake.updateCustomer(id, { emails: ['new-main@acme.example', 'pierre@acme.example'] })
  },
  serverErrorSays: 'error 500: Internal Server Error',
  revokedSays: 'Unauthorized',
  wrongKey: 'still-wrong',
  wrongKeySays: 'Unauthorized',
  reconnection: {
    secrets: (fake, good) => ({ apiToken: good ? fake.apiToken : 'still-wrong' }),
    again: 'check the API key and try again',
  },
  crash: {
    expectStored: (stored) => {
      expect(stored.full.cursor).toEqual(expect.any(String))
    },
    expectResumed: (fake, stored) => {
      expect(customerCalls(fake).map((r) => r.query.get('cursor'))).toEqual([stored.full.cursor])
    },
    // 150 changes in the same second as the full run: the cursor keeps the customers applied.
    beforeChanges: () => undefined,
  },
}
