// Stripe as the shared suites and the sync benchmark drive it.
import { expect } from 'vitest'
import { stripeConnector } from '../../../src/modules/sources/connectors/stripe/index.ts'
import type {
  StripeSecrets,
  StripeSettings,
} from '../../../src/modules/sources/connectors/stripe/schemas.ts'
import { StripeFake } from '../../fakes/stripe/fake-server.ts'
import { fixture } from '../support.ts'
import { synced } from '../../sources/fakes.ts'
import type { ConnectorSpec } from '../conformance.ts'
import type { SyncSpec } from '../sync-conformance.ts'

export const list = await fixture('stripe', 'customers-list')
export const events = await fixture('stripe', 'events-list')
export const deletedStub = await fixture('stripe', 'deleted-customer')
export const record = (id: string) => list.data.find((c: { id: string }) => c.id === id)

export const stripeSpec: ConnectorSpec<StripeFake, StripeSettings, StripeSecrets> = {
  label: 'Stripe',
  connector: stripeConnector,
  start: (options) => StripeFake.start(options),
  settings: (fake) => ({ baseUrl: fake.url }),
  secrets: (fake) => ({ apiKey: fake.apiKey, webhookSecret: fake.webhookSecret }),
  wrongSecrets: { apiKey: 'sk_test_wrong' },
  refusedKeySays: 'Invalid API Key',
  ordered: false,
  seed: (fake, count) => {
    const created = Array.from({ length: count }, (_, i) =>
      String(fake.createCustomer({ name: `Customer ${i}`, email: `c${i}@example.com` }).id),
    )
    fake.advance(3600)
    return created
  },
  rename: (fake, id, name) => {
    fake.updateCustomer(id, { name })
  },
  touch: (fake, id) => {
    fake.updateCustomer(id, { phone: '+44 20 0000 0000' })
  },
  remove: (fake, id) => {
    fake.deleteCustomer(id)
  },
  create: (fake, name) => String(fake.createCustomer({ name }).id),
  expectCheckCalls: (fake) => {
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/customers'])
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${fake.apiKey}`)
  },
  expectPagingCalls: (fake, ids) => {
    // Following starting_after, with the tax ids expanded.
    const calls = fake.requests.filter((r) => r.path === '/v1/customers')
    expect(calls.map((r) => r.query.get('limit'))).toEqual(['100', '100', '100'])
    expect(calls.map((r) => r.query.get('expand[0]'))).toEqual(Array(3).fill('data.tax_ids'))
    expect(calls[0]?.query.get('starting_after')).toBeNull()
    expect(calls[1]?.query.get('starting_after')).toBe(ids.at(99))
    expect(calls[2]?.query.get('starting_after')).toBe(ids.at(199))
  },
  fullRunCursor: (fake) => ({
    v: 1,
    created: fake.now() - 300,
    seen: [],
    coveredUntil: fake.now() - 300,
  }),
  expectResumeCalls: (fake, first) => {
    expect(fake.requests[0]?.query.get('starting_after')).toBe(first.customers.at(-1)?.externalId)
  },
  changeGap: 60,
  moreChanges: (fake, [a = '', , c = '', d = '']) => {
    fake.updateCustomer(a, { email: 'new-ap@example.com' })
    fake.addTaxId(c, { type: 'eu_vat', value: 'FR40303265045', country: 'FR' })
    fake.updateCustomer(d, { phone: '+33 6 00 00 00 00' })
    return [a, c, d]
  },
  expectChanges: (fake, got, [a = '', b = '', c = '']) => {
    // Tax ids and the last known details of a deleted customer come along.
    expect(got.get(a)?.contacts[0]?.email).toBe('new-ap@example.com')
    expect(got.get(b)).toMatchObject({ archived: true, name: 'Customer 1' })
    expect(got.get(c)?.vatNumber).toBe('FR40303265045')
    const calls = fake.requests.filter((r) => r.path === '/v1/events')
    expect(calls[0]?.query.get('created[gte]')).toBe(String(fake.now() - 60 - 300))
    expect(calls[0]?.query.getAll('types[0]')).toEqual(['customer.created'])
  },
  webhook: {
    secrets: (fake) => ({ apiKey: fake.apiKey, webhookSecret: fake.webhookSecret }),
    unconfigured: (fake) => ({ apiKey: fake.apiKey }),
    unconfiguredSays: 'whsec_',
    prepare: (fake) => {
      fake.createCustomer({ name: 'Hooked', email: 'hook@example.com' })
    },
    send: (fake, url) => fake.sendWebhook(url),
    refused: [
      {
        name: 'a body changed after signing',
        send: (fake, url) => fake.sendWebhook(url, { tamper: true }),
        says: 'does not match',
      },
      {
        name: 'an event signed with another secret',
        send: (fake, url) => fake.sendWebhook(url, { secret: 'whsec_other' }),
      },
      {
        name: 'a call with no signature',
        send: (_fake, url) => fetch(url, { method: 'POST', body: '{}' }),
        says: 'no Stripe-Signature',
      },
    ],
    expired: {
      // Stripe's tolerance is five minutes.
      old: (fake, url) => fake.sendWebhook(url, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      fresh: (fake, url) =>
        fake.sendWebhook(url, { timestamp: Math.floor(Date.now() / 1000) - 271 }),
    },
  },
}

export const acme = (fake: StripeFake) =>
  fake.createCustomer({
    name: 'Acme Industries SAS',
    email: 'billing@acme.example',
    phone: '01 84 80 12 34',
    currency: 'eur',
    address: {
      line1: '12 rue des Lilas',
      line2: null,
      city: 'Paris',
      postal_code: '75011',
      state: null,
      country: 'FR',
    },
  })

export const stripeSync: SyncSpec<StripeFake> = {
  system: 'stripe',
  label: 'Stripe',
  start: () => StripeFake.start(),
  connection: (fake) => ({
    settings: { baseUrl: fake.url },
    secrets: { apiKey: fake.apiKey, webhookSecret: fake.webhookSecret },
  }),
  // Stripe replays the last minutes of its event feed on the first incremental run; move past.
  later: (fake) => {
    fake.advance(600)
  },
  acme: (fake) => String(acme(fake).id),
  create: (fake, { name, email }) =>
    String(fake.createCustomer(email ? { name, email } : { name }).id),
  rename: (fake, id, name) => {
    fake.updateCustomer(id, { name })
  },
  remove: (fake, id) => {
    fake.deleteCustomer(id)
  },
  forget: (fake, id) => {
    fake.customers.delete(id)
  },
  incremental: {
    fill: (fake) => ({
      acme: String(acme(fake).id),
      other: String(fake.createCustomer({ name: 'Bolt GmbH', email: 'ap@bolt.example' }).id),
    }),
    change: (fake, ids) => {
      fake.updateCustomer(ids.acme, { email: 'ap@acme.example' })
      fake.updateCustomer(ids.other, { email: null })
    },
    expect: async (api, ids) => {
      // No email at Stripe any more: no contact in Roster either.
      expect(await synced(api, ids.other)).toMatchObject({ mainContact: null, contacts: [] })
      expect((await synced(api, ids.acme)).contacts).toMatchObject([
        { email: 'ap@acme.example', lastName: 'Acme SA', isMain: true },
      ])
    },
  },
  webhook: {
    change: (fake, id) => {
      fake.updateCustomer(id, { phone: '+33 4 72 00 00 00' })
    },
    expectChanged: async (api, id) => {
      expect((await synced(api, id)).contacts[0].phone).toBe('+33472000000')
    },
    send: (fake, url) => fake.sendWebhook(url),
    refused: [
      (fake, url) => fake.sendWebhook(url, { secret: 'whsec_not_the_one' }),
      (fake, url) => fake.sendWebhook(url, { tamper: true }),
      (fake, url) => fake.sendWebhook(url, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
      // Stripe's own check only looks at the past: ten minutes ahead is refused too.
      (fake, url) => fake.sendWebhook(url, { timestamp: Math.floor(Date.now() / 1000) + 600 }),
      (fake, url) => fetch(url, { method: 'POST', body: JSON.stringify(fake.event()) }),
    ],
  },
  owned: { field: 'name', value: 'X', column: 'City', imported: 'Lyon', kept: { city: 'Paris' } },
  changeContacts: (fake, id) => {
    fake.updateCustomer(id, { email: 'changed@acme.example', phone: null })
  },
  serverErrorSays: 'error 500: An unknown error occurred',
  revokedSays: 'Invalid API Key provided: sk_test_****_key',
  wrongKey: 'sk_test_still_wrong',
  wrongKeySays: 'Invalid API Key provided: sk_test_****rong',
  crash: {
    expectStored: (stored, ids) => {
      expect(stored.full.startingAfter).toBe(ids[50])
    },
    expectResumed: (fake, _stored, ids) => {
      expect(fake.requests.map((r) => r.query.get('starting_after'))).toEqual([ids[50]])
    },
    resumedPages: 2,
    beforeChanges: (fake) => {
      fake.advance(600)
    },
  },
}
