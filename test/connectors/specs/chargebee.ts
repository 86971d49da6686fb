// Chargebee as the shared suites and the sync benchmark drive it.
import { expect } from 'vitest'
import { chargebeeConnector } from '../../../src/modules/sources/connectors/chargebee/index.ts'
import type {
  ChargebeeSecrets,
  ChargebeeSettings,
} from '../../../src/modules/sources/connectors/chargebee/schemas.ts'
import { ChargebeeFake } from '../../fakes/chargebee/fake-server.ts'
import { fixture } from '../support.ts'
import { synced } from '../../sources/fakes.ts'
import type { ConnectorSpec } from '../conformance.ts'
import type { SyncSpec } from '../sync-conformance.ts'

export const list = await fixture('chargebee', 'customers-list')
export const deleted = await fixture('chargebee', 'customers-deleted')
export const contactsPage = await fixture('chargebee', 'contacts-list')
export const record = (from: any, id: string) =>
  from.list.find((item: any) => item.customer.id === id).customer

export const listCalls = (fake: ChargebeeFake) =>
  fake.requests.filter((r) => r.path === '/api/v2/customers')

export const chargebeeSpec: ConnectorSpec<ChargebeeFake, ChargebeeSettings, ChargebeeSecrets> = {
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

/** The contact rule's cases in one customer: main, additional, duplicate, disabled, no email. */
export const acme = (fake: ChargebeeFake) =>
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
export const bolt = (fake: ChargebeeFake) =>
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

export const people = (customer: any) =>
  customer.contacts.map((c: any) => [c.externalId, c.email, c.isMain])

export const chargebeeSync: SyncSpec<ChargebeeFake> = {
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
