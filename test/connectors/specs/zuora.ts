// Zuora as the shared suites and the sync benchmark drive it.
import { expect } from 'vitest'
import { tokenClient } from '../../../src/modules/sources/connectors/zuora/client.ts'
import { zuoraConnector } from '../../../src/modules/sources/connectors/zuora/index.ts'
import { pageSize, zuoraTime } from '../../../src/modules/sources/connectors/zuora/list.ts'
import type {
  ZuoraSecrets,
  ZuoraSettings,
} from '../../../src/modules/sources/connectors/zuora/schemas.ts'
import { ZuoraFake } from '../../fakes/zuora/fake-server.ts'
import { fixture } from '../support.ts'
import { synced } from '../../sources/fakes.ts'
import type { ConnectorSpec } from '../conformance.ts'
import type { SyncSpec } from '../sync-conformance.ts'

export const accountsList = await fixture('zuora', 'accounts-list')
export const contactsList = await fixture('zuora', 'contacts-list')

export const accountCalls = (fake: ZuoraFake) =>
  fake.requests.filter((r) => r.path === '/object-query/accounts')
export const contactCalls = (fake: ZuoraFake) =>
  fake.requests.filter((r) => r.path === '/object-query/contacts')
export const tokenCalls = (fake: ZuoraFake) =>
  fake.requests.filter((r) => r.path === '/oauth/token')

/** The secrets a connection holds once checked: the client and the token it was given. */
export function connectedSecrets(fake: ZuoraFake, callout = false): ZuoraSecrets {
  const { calloutUsername, calloutPassword, ...issued } = fake.secrets()
  return {
    ...issued,
    accessTokenClient: tokenClient(issued),
    ...(callout ? { calloutUsername, calloutPassword } : {}),
  }
}

/** The secrets each conformance test holds, so `expire` can let their token's hour pass. */
const held = new WeakMap<ZuoraFake, { secrets: ZuoraSecrets; expired: boolean }>()

export const zuoraSpec: ConnectorSpec<ZuoraFake, ZuoraSettings, ZuoraSecrets> = {
  label: 'Zuora',
  connector: zuoraConnector,
  // The suites move the fake's clock by hours: tokens last a day here (they end on purpose in
  // the refresh case, and in the Zuora tests of a token ending mid-run).
  start: (options) => ZuoraFake.start({ tokenLifetime: 86_400, ...options }),
  settings: (fake) => ({ baseUrl: fake.url }),
  secrets: (fake) => {
    const secrets = connectedSecrets(fake)
    held.set(fake, { secrets, expired: false })
    return secrets
  },
  wrongSecrets: { clientId: 'roster-fake-client', clientSecret: 'wrong' },
  refusedKeySays: 'Bad client credentials',
  // Accounts come oldest change first, then those whose contacts changed.
  ordered: false,
  pageSize,
  seed: (fake, count) => {
    // One second apart, so the listing's order is the writing order.
    const created = Array.from({ length: count }, (_, i) => {
      fake.advance(1)
      return String(
        fake.createAccount({
          name: `Company ${i}`,
          billTo: { firstName: 'Ann', workEmail: `c${i}@example.com` },
          soldTo: 'billTo',
        }).id,
      )
    })
    fake.advance(3600)
    return created
  },
  rename: (fake, id, name) => {
    fake.updateAccount(id, { name })
  },
  touch: (fake, id) => {
    fake.updateAccount(id, { currency: 'EUR' })
  },
  remove: (fake, id) => {
    fake.cancelAccount(id)
  },
  create: (fake, name) => String(fake.createAccount({ name }).id),
  expectCheckCalls: (fake) => {
    // The stored token as bearer, one account asked for.
    expect(fake.requests.map((r) => [r.method, r.path, r.query.get('pageSize')])).toEqual([
      ['GET', '/object-query/accounts', '1'],
    ])
    expect(fake.requests[0]?.headers.authorization).toMatch(/^Bearer [0-9a-f]{48}$/)
  },
  expectPagingCalls: (fake, ids) => {
    // Following nextPage, live accounts oldest change first, the contacts of each page at once.
    const calls = accountCalls(fake)
    expect(calls.map((r) => r.query.get('pageSize'))).toEqual(['99', '99', '99'])
    for (const call of calls) {
      expect(call.query.getAll('filter[]')).toEqual(['status.NE:Canceled'])
      expect(call.query.getAll('sort[]')).toEqual(['updatedDate.asc'])
      expect(call.query.getAll('expand[]')).toEqual(['billTo', 'soldTo'])
    }
    expect(calls.map((r) => r.query.has('cursor'))).toEqual([false, true, true])
    const times = ids.map((id) => Date.parse(String(fake.accounts.get(id)?.updatedDate)))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    const contacts = contactCalls(fake)
    expect(contacts).toHaveLength(3)
    expect(contacts[0]?.query.getAll('filter[]')).toEqual([
      `accountId.IN:[${ids.slice(0, 99).join(',')}]`,
    ])
    expect(tokenCalls(fake)).toEqual([])
  },
  fullRunCursor: (fake) => ({
    v: 1,
    accounts: { at: fake.now() - 60, seen: {} },
    contacts: { at: fake.now() - 60, seen: {} },
  }),
  expectResumeCalls: (fake, first) => {
    const cursor = first.cursor as { full: { nextPage: string } }
    expect(accountCalls(fake)[0]?.query.get('cursor')).toBe(cursor.full.nextPage)
  },
  changeGap: 120,
  moreChanges: (fake, seeded) => {
    // Contact changes leave their account untouched: they come through the contacts query.
    const [, , third = '', fourth = ''] = seeded
    fake.addContact(third, { id: 'ct_new', workEmail: 'new@c3.example', firstName: 'Nina' })
    const billTo = String(fake.accounts.get(fourth)?.billToId)
    fake.updateContact(billTo, { workEmail: 'changed@c4.example' })
    return [third, fourth]
  },
  expectChanges: (fake, got, seeded) => {
    const [, , third = '', fourth = ''] = seeded
    expect(got.get(third)?.contacts.map((c) => [c.email, c.isMain])).toEqual([
      ['c2@example.com', true],
      ['new@c3.example', false],
    ])
    expect(got.get(fourth)?.contacts.map((c) => [c.email, c.isMain])).toEqual([
      ['changed@c4.example', true],
    ])
    const since = `updatedDate.GT:${zuoraTime(fake.now() - 120 - 60 - 1)}`
    const [changed, byId] = accountCalls(fake).slice(-2)
    expect(changed?.query.getAll('filter[]')).toEqual([since])
    expect(changed?.query.getAll('sort[]')).toEqual(['updatedDate.asc'])
    // The accounts of the changed contacts, asked for by id.
    const [inList = ''] = byId?.query.getAll('filter[]') ?? []
    expect(
      inList
        .replace(/^id\.IN:\[(.*)\]$/, '$1')
        .split(',')
        .sort(),
    ).toEqual([third, fourth].sort())
    const changedContacts = contactCalls(fake).filter((r) =>
      r.query.getAll('filter[]').some((f) => f.startsWith('updatedDate')),
    )
    expect(changedContacts.map((r) => r.query.getAll('filter[]'))).toEqual([[since]])
  },
  expectCursorAfterChange: (fake, cursor) => {
    expect(cursor).toMatchObject({
      accounts: { at: fake.now() },
      contacts: { at: fake.now() - 660 },
    })
  },
  refresh: {
    // The token's hour passes: Zuora refuses it, and the time Roster stored with it is reached.
    expire: (fake) => {
      const state = held.get(fake)
      if (!state) throw new Error('no secrets held')
      fake.expireTokens()
      state.secrets.accessTokenExpiresAt = new Date().toISOString()
      state.expired = true
    },
    expectRefreshed: (fake, secrets) => {
      const state = held.get(fake)
      if (!state?.expired) {
        expect(secrets).toBeNull()
        expect(tokenCalls(fake)).toEqual([])
        return
      }
      const [call, ...more] = tokenCalls(fake)
      expect(more).toEqual([])
      expect(Object.fromEntries(new URLSearchParams(call?.body))).toEqual({
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        grant_type: 'client_credentials',
      })
      expect(secrets).toMatchObject({
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        accessTokenClient: state.secrets.accessTokenClient,
      })
      expect(secrets?.accessToken).not.toBe(state.secrets.accessToken)
      expect(fake.valid(secrets?.accessToken ?? '')).toBe(true)
      const ends = Date.parse(secrets?.accessTokenExpiresAt ?? '') - Date.now()
      expect(ends).toBeGreaterThan(86_000_000)
      expect(ends).toBeLessThanOrEqual(86_400_000)
    },
  },
  webhook: {
    secrets: (fake) => connectedSecrets(fake, true),
    unconfigured: (fake) => connectedSecrets(fake),
    unconfiguredSays: 'No callout user name and password',
    prepare: (fake) => {
      fake.createAccount({
        id: 'hooked',
        name: 'Hooked',
        billTo: { workEmail: 'hook@example.com' },
      })
    },
    send: (fake, url) => fake.sendCallout(url, 'hooked'),
    // A callout is proven by the notification's Basic credentials.
    refused: [
      {
        name: 'a wrong password',
        send: (fake, url) => fake.sendCallout(url, 'hooked', { password: 'guess' }),
      },
      {
        name: 'a wrong user name',
        send: (fake, url) => fake.sendCallout(url, 'hooked', { username: 'someone' }),
      },
      {
        name: 'a call without credentials (preemptive authentication off)',
        send: (fake, url) => fake.sendCallout(url, 'hooked', { credentials: null }),
        says: 'no Basic credentials',
      },
    ],
  },
}

/**
 * The contact rule's cases in one account: Bill To main, a Sold To that is the same person in
 * another record, an additional contact, one without an email, one with only a personal email.
 */
export const acme = (fake: ZuoraFake) =>
  fake.createAccount({
    id: 'acme',
    name: 'Acme Industries SAS',
    accountNumber: 'A00000369',
    currency: 'EUR',
    vATId: 'FR40123456824',
    billTo: {
      id: 'ct_marie',
      firstName: 'Marie',
      lastName: 'Dubois',
      workEmail: 'marie@acme.example',
      address1: '12 rue des Lilas',
      city: 'Paris',
      postalCode: '75011',
      country: 'France',
    },
    soldTo: { id: 'ct_marie_sold', workEmail: 'MARIE@acme.example', workPhone: '01 84 80 12 34' },
    contacts: [
      { id: 'ct_ap', firstName: 'Paul', workEmail: 'ap@acme.example' },
      { id: 'ct_blank', firstName: 'Nobody' },
      { id: 'ct_sam', firstName: 'Sam', personalEmail: 'billing.sam@acme.example' },
    ],
  })

/** Bill To and Sold To two people; a third contact repeats the Bill To's email. */
export const bolt = (fake: ZuoraFake) =>
  fake.createAccount({
    id: 'bolt',
    name: 'Bolt GmbH',
    currency: 'EUR',
    billTo: { id: 'ct_b1', firstName: 'Anna', workEmail: 'ap@bolt.example', country: 'Germany' },
    soldTo: { id: 'ct_b2', firstName: 'Otto', workEmail: 'owner@bolt.example' },
    contacts: [{ id: 'ct_b3', workEmail: 'AP@bolt.example', workPhone: '+49 30 1234567' }],
  })

export const people = (customer: any) =>
  customer.contacts.map((c: any) => [c.externalId, c.email, c.isMain, c.role])

const slug = (name: string) => name.toLowerCase().replace(/\W+/g, '-')

export const zuoraSync: SyncSpec<ZuoraFake> = {
  system: 'zuora',
  label: 'Zuora',
  start: () => ZuoraFake.start(),
  connection: (fake) => ({
    settings: { baseUrl: fake.url },
    secrets: {
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      calloutUsername: fake.calloutUsername,
      calloutPassword: fake.calloutPassword,
    },
  }),
  /**
   * The first incremental run reads again the last minute before the full run began: the
   * accounts are written earlier than that, so it brings only what changed after.
   */
  later: (fake) => {
    fake.advance(120)
  },
  acme: (fake) => String(acme(fake).id),
  create: (fake, { name, email }) =>
    String(
      fake.createAccount({
        id: slug(name),
        name,
        ...(email ? { billTo: { workEmail: email }, soldTo: 'billTo' as const } : {}),
      }).id,
    ),
  rename: (fake, id, name) => {
    fake.updateAccount(id, { name })
  },
  remove: (fake, id) => {
    fake.cancelAccount(id)
  },
  forget: (fake, id) => {
    fake.deleteAccount(id)
  },
  incremental: {
    fill: (fake) => {
      acme(fake)
      bolt(fake)
      fake.createAccount({ id: 'cactus', name: 'Cactus Supply' })
      return { acme: 'acme', other: 'bolt' }
    },
    // A contact renamed and one added (the account untouched by either), a Bill To replaced.
    change: (fake) => {
      fake.updateContact('ct_ap', { firstName: 'Pauline' })
      fake.addContact('acme', { id: 'ct_new', workEmail: 'new@acme.example' })
      fake.setBillTo('bolt', 'ct_b2')
    },
    expect: async (api) => {
      const after = await synced(api, 'acme')
      expect(after.contacts.map((c: any) => [c.externalId, c.firstName, c.isMain])).toEqual([
        ['ct_marie', 'Marie', true],
        ['ct_ap', 'Pauline', false],
        ['ct_sam', 'Sam', false],
        ['ct_new', null, false],
      ])
      expect(people(await synced(api, 'bolt'))).toEqual([
        ['ct_b2', 'owner@bolt.example', true, 'ACCOUNTING'],
        ['ct_b1', 'ap@bolt.example', false, null],
      ])
    },
  },
  webhook: {
    change: (fake) => {
      fake.updateContact('ct_ap', { workPhone: '04 72 00 00 00' })
    },
    expectChanged: async (api) => {
      const ap = (await synced(api, 'acme')).contacts.find((c: any) => c.externalId === 'ct_ap')
      expect(ap.phone).toBe('+33472000000')
    },
    send: (fake, url) => fake.sendCallout(url, 'acme'),
    refused: [
      (fake, url) => fake.sendCallout(url, 'acme', { password: 'not-the-password' }),
      (fake, url) => fake.sendCallout(url, 'acme', { username: 'someone-else' }),
      (fake, url) => fake.sendCallout(url, 'acme', { credentials: null }),
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
    fake.updateContact('ct_marie', { workEmail: 'new-main@acme.example' })
    fake.updateContact('ct_ap', { firstName: 'Pierre', workEmail: 'pierre@acme.example' })
    fake.addContact('acme', { id: 'ct_more', workEmail: 'more@acme.example' })
  },
  serverErrorSays: 'error 500: An unexpected error occurred. Please try again later.',
  revokedSays: 'Bad client credentials',
  wrongKey: 'still-wrong',
  wrongKeySays: 'Bad client credentials',
  reconnection: {
    secrets: (fake, good) => ({ clientSecret: good ? fake.apiKey : 'still-wrong' }),
    again: 'check the client id and secret and try again',
  },
  pageSize,
  crash: {
    expectStored: (stored) => {
      expect(stored.full.nextPage).toEqual(expect.any(String))
    },
    expectResumed: (fake, stored) => {
      expect(accountCalls(fake).map((r) => r.query.get('cursor'))).toEqual([stored.full.nextPage])
    },
    // 150 changes in the same second: the cursor keeps a digest of each account applied.
    beforeChanges: () => undefined,
  },
}
