// Xero as the shared suites and the sync benchmark drive it.
import { expect } from 'vitest'
import { xeroConnector } from '../../../src/modules/sources/connectors/xero/index.ts'
import type {
  XeroSecrets,
  XeroSettings,
} from '../../../src/modules/sources/connectors/xero/schemas.ts'
import { issuedWith } from '../../../src/modules/sources/connectors/xero/token.ts'
import type { Json } from '../../fakes/xero/fake-api.ts'
import { XeroFake } from '../../fakes/xero/fake-server.ts'
import { synced } from '../../sources/fakes.ts'
import { fixture } from '../support.ts'
import type { ConnectorSpec } from '../conformance.ts'
import type { SyncSpec } from '../sync-conformance.ts'

export const list = await fixture('xero', 'contacts-list')
export const record = (id: string) => list.Contacts.find((c: any) => c.ContactID === id)

export const contactCalls = (fake: XeroFake) =>
  fake.requests.filter((r) => r.path === '/api.xro/2.0/Contacts')

/** The ContactID of a customer Roster knows by its Customer ID (AccountNumber, else ContactNumber, else ContactID). */
export function contactId(fake: XeroFake, customerId: string, tenantId = fake.tenantId): string {
  for (const contact of fake.contacts.get(tenantId)?.values() ?? []) {
    const own = [contact.AccountNumber, contact.ContactNumber].find(
      (v) => typeof v === 'string' && v !== '',
    )
    if ((own ?? contact.ContactID) === customerId) return String(contact.ContactID)
  }
  throw new Error(`No Xero contact for ${customerId}`)
}

/** The secrets Roster holds for the fake's consent, the access token's origin included. */
export const heldSecrets = (fake: XeroFake): XeroSecrets =>
  Object.assign(fake.connected, { issuedWith: issuedWith(fake.connected.refreshToken) })

export const xeroSpec: ConnectorSpec<XeroFake, XeroSettings, XeroSecrets> = {
  label: 'Xero',
  connector: xeroConnector,
  start: (options) => XeroFake.start(options),
  settings: (fake) => ({ tenantId: fake.tenantId, baseUrl: fake.url }),
  secrets: heldSecrets,
  wrongSecrets: {
    clientId: 'someone',
    clientSecret: 'else',
    refreshToken: 'not-a-token',
    accessToken: 'not-an-access-token',
    expiresAt: 4_102_444_800,
  },
  refusedKeySays: 'AuthenticationUnsuccessful',
  // Oldest change first (order=UpdatedDateUTC ASC).
  ordered: true,
  seed: (fake, count) => {
    const created = Array.from({ length: count }, (_, i) => {
      fake.advance(1)
      return String(
        fake.createContact({ Name: `Company ${i}`, EmailAddress: `c${i}@example.com` }).ContactID,
      )
    })
    fake.advance(3600)
    return created
  },
  rename: (fake, id, name) => {
    fake.updateContact(contactId(fake, id), { Name: name })
  },
  touch: (fake, id) => {
    fake.updateContact(contactId(fake, id), { TaxNumber: 'GB999999973' })
  },
  remove: (fake, id) => {
    fake.archiveContact(contactId(fake, id))
  },
  create: (fake, name) => String(fake.createContact({ Name: name }).ContactID),
  expectCheckCalls: (fake) => {
    expect(fake.requests.map((r) => r.path)).toEqual(['/api.xro/2.0/Contacts'])
    const [call] = fake.requests
    expect(call?.headers.authorization).toBe(`Bearer ${fake.connected.accessToken}`)
    expect(call?.headers['xero-tenant-id']).toBe(fake.tenantId)
    expect(call?.query.get('pageSize')).toBe('1')
  },
  expectPagingCalls: (fake) => {
    const calls = contactCalls(fake)
    expect(calls.map((r) => [r.query.get('page'), r.query.get('pageSize')])).toEqual([
      ['1', '100'],
      ['2', '100'],
      ['3', '100'],
    ])
    for (const call of calls) {
      expect(call.query.get('where')).toBe('IsCustomer==true')
      expect(call.query.get('order')).toBe('UpdatedDateUTC ASC')
      expect(call.query.get('includeArchived')).not.toBe('true')
      expect(call.headers['if-modified-since']).toBeUndefined()
      expect(call.headers.accept).toContain('application/json')
    }
  },
  fullRunCursor: (fake) => ({ v: 1, since: fake.now() - 60, seen: {} }),
  expectResumeCalls: (fake) => {
    expect(contactCalls(fake).map((r) => r.query.get('page'))).toEqual(['2'])
  },
  changeGap: 120,
  moreChanges: (fake, seeded) => {
    const [, , erased = '', widened = ''] = seeded
    fake.eraseContact(contactId(fake, erased))
    fake.updateContact(contactId(fake, widened), {
      ContactPersons: [{ FirstName: 'New', EmailAddress: 'new@c3.example', IncludeInEmails: true }],
    })
    return [erased, widened]
  },
  expectChanges: (fake, got, seeded) => {
    // A contact erased on a GDPR request is archived with its contacts.
    expect(got.get(seeded[2] ?? '')).toMatchObject({ archived: true, contacts: [] })
    expect(got.get(seeded[3] ?? '')?.contacts.map((c) => [c.email, c.isMain])).toEqual([
      ['c3@example.com', true],
      ['new@c3.example', false],
    ])
    const call = contactCalls(fake).at(-1)
    expect(call?.headers['if-modified-since']).toBe(
      new Date((fake.now() - 120 - 60) * 1000).toISOString(),
    )
    expect(call?.query.get('includeArchived')).toBe('true')
  },
  expectCursorAfterChange: (fake, cursor) => {
    expect(cursor).toMatchObject({ v: 1, since: fake.now() })
  },
  refresh: {
    expire: (fake) => {
      fake.expireTokens()
    },
    expectRefreshed: (fake, secrets) => {
      if (fake.connected.expiresAt !== 0) {
        expect(secrets).toBeNull()
        return
      }
      const old = fake.connected.refreshToken
      expect(secrets?.refreshToken).not.toBe(old)
      // The new pair is the consent's current one, and the old refresh token is used up.
      expect(fake.refreshTokenOf(secrets?.accessToken ?? '')).toBe(secrets?.refreshToken)
      expect(fake.usedRefreshTokens.has(old)).toBe(true)
      expect(secrets?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 1700)
    },
  },
  webhook: {
    secrets: heldSecrets,
    unconfigured: (fake) => {
      const { webhookKey: _key, ...rest } = heldSecrets(fake)
      return rest
    },
    unconfiguredSays: 'No webhook key',
    prepare: (fake) => {
      fake.createContact({ Name: 'Hooked', EmailAddress: 'hook@example.com' })
    },
    send: (fake, url) => fake.sendWebhook(url),
    refused: [
      {
        name: 'a batch signed with another key',
        send: (fake, url) => fake.sendWebhook(url, { key: 'another-key' }),
        says: 'does not match',
      },
      {
        name: 'a batch without signature',
        send: (fake, url) => fake.sendWebhook(url, { signature: null }),
        says: 'no x-xero-signature',
      },
      {
        name: 'an intent-to-receive probe signed wrongly',
        send: (fake, url) => fake.sendIntentToReceive(url, false),
      },
    ],
  },
}

/** Acme Industries SAS (Paris): its own person first, two contact persons, a duplicate. */
export const acme = (fake: XeroFake): Json =>
  fake.createContact({
    Name: 'Acme Industries SAS',
    AccountNumber: 'C-ACME',
    ContactNumber: 'CUST-0042',
    FirstName: 'Marie',
    LastName: 'Dubois',
    EmailAddress: 'marie@acme.example',
    TaxNumber: 'FR40123456824',
    DefaultCurrency: 'EUR',
    Addresses: [
      {
        AddressType: 'POBOX',
        AddressLine1: '12 rue des Lilas',
        City: 'Paris',
        PostalCode: '75011',
        Country: 'France',
      },
      { AddressType: 'STREET', AddressLine1: '1 quai de la Gare', City: 'Lyon', Country: 'France' },
    ],
    Phones: [
      {
        PhoneType: 'DEFAULT',
        PhoneNumber: '84 80 12 34',
        PhoneAreaCode: '1',
        PhoneCountryCode: '33',
      },
    ],
    ContactPersons: [
      {
        FirstName: 'Paul',
        LastName: 'Martin',
        EmailAddress: 'ap@acme.example',
        IncludeInEmails: true,
      },
      { FirstName: 'Marie', EmailAddress: 'MARIE@acme.example', IncludeInEmails: false },
      { FirstName: 'Nobody', EmailAddress: '', IncludeInEmails: false },
    ],
  })

/** No email of its own: the person who receives its emails is promoted to main. */
export const bolt = (fake: XeroFake): Json =>
  fake.createContact({
    Name: 'Bolt GmbH',
    ContactNumber: 'CUST-BOLT',
    ContactPersons: [
      { FirstName: 'Jonas', EmailAddress: 'jonas@bolt.example', IncludeInEmails: false },
      { FirstName: 'Anna', EmailAddress: 'ap@bolt.example', IncludeInEmails: true },
    ],
  })

export const people = (customer: any) => customer.contacts.map((c: any) => [c.email, c.isMain])

export const xeroSync: SyncSpec<XeroFake> = {
  system: 'xero',
  label: 'Xero',
  start: () => XeroFake.start(),
  /** As after a consent (or the CLI with a refresh token): the connection refreshes first. */
  connection: (fake) => {
    const granted = fake.grant()
    return {
      settings: { tenantId: fake.tenantId, baseUrl: fake.url },
      secrets: {
        clientId: granted.clientId,
        clientSecret: granted.clientSecret,
        refreshToken: granted.refreshToken,
        webhookKey: granted.webhookKey,
      },
    }
  },
  later: (fake) => {
    fake.advance(120)
  },
  acme: (fake) => {
    acme(fake)
    return 'C-ACME'
  },
  create: (fake, { name, email }) =>
    String(fake.createContact({ Name: name, ...(email ? { EmailAddress: email } : {}) }).ContactID),
  rename: (fake, id, name) => {
    fake.updateContact(contactId(fake, id), { Name: name })
  },
  remove: (fake, id) => {
    fake.archiveContact(contactId(fake, id))
  },
  forget: (fake, id) => {
    fake.forget(contactId(fake, id))
  },
  incremental: {
    fill: (fake) => {
      acme(fake)
      bolt(fake)
      fake.createContact({
        Name: 'Paper Supplies',
        EmailAddress: 'sales@paper.example',
        IsCustomer: false,
        IsSupplier: true,
      })
      return { acme: 'C-ACME', other: 'CUST-BOLT' }
    },
    // A contact person removed and one added; Bolt gets an email of its own (a new main).
    change: (fake) => {
      fake.updateContact(contactId(fake, 'C-ACME'), {
        ContactPersons: [
          { FirstName: 'Nina', EmailAddress: 'purchasing@acme.example', IncludeInEmails: false },
        ],
      })
      fake.updateContact(contactId(fake, 'CUST-BOLT'), {
        FirstName: 'Otto',
        EmailAddress: 'owner@bolt.example',
      })
    },
    expect: async (api) => {
      expect(people(await synced(api, 'C-ACME'))).toEqual([
        ['marie@acme.example', true],
        ['purchasing@acme.example', false],
      ])
      expect(people(await synced(api, 'CUST-BOLT'))).toEqual([
        ['owner@bolt.example', true],
        ['ap@bolt.example', false],
        ['jonas@bolt.example', false],
      ])
    },
  },
  webhook: {
    change: (fake) => {
      fake.updateContact(contactId(fake, 'C-ACME'), {
        ContactPersons: [
          { FirstName: 'Pauline', LastName: 'Martin', EmailAddress: 'ap@acme.example' },
        ],
      })
    },
    expectChanged: async (api) => {
      const ap = (await synced(api, 'C-ACME')).contacts.find(
        (c: any) => c.email === 'ap@acme.example',
      )
      expect(ap.firstName).toBe('Pauline')
    },
    send: (fake, url) => fake.sendWebhook(url),
    refused: [
      (fake, url) => fake.sendWebhook(url, { key: 'not-the-key' }),
      (fake, url) => fake.sendWebhook(url, { signature: null }),
      (fake, url) => fake.sendIntentToReceive(url, false),
    ],
    reply: 'empty-200',
  },
  owned: {
    field: 'vatNumber',
    value: 'FR00000000000',
    column: 'VAT number',
    imported: 'FR111',
    kept: { vatNumber: 'FR40123456824' },
  },
  changeContacts: (fake) => {
    fake.updateContact(contactId(fake, 'C-ACME'), {
      EmailAddress: 'new-main@acme.example',
      ContactPersons: [{ FirstName: 'Pierre', EmailAddress: 'pierre@acme.example' }],
    })
  },
  serverErrorSays:
    'error 500: An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status.',
  revokedSays: 'AuthenticationUnsuccessful',
  wrongKey: 'not-a-refresh-token',
  wrongKeySays: 'invalid_grant',
  reconnection: {
    secrets: (fake, good) => ({
      refreshToken: good ? fake.grant().refreshToken : 'not-a-refresh-token',
    }),
    again: 'connect to Xero again',
  },
  crash: {
    expectStored: (stored) => {
      expect(stored).toMatchObject({ v: 1, full: { page: 3 } })
    },
    expectResumed: (fake) => {
      expect(contactCalls(fake).map((r) => r.query.get('page'))).toEqual(['3'])
    },
    beforeChanges: () => undefined,
  },
}
