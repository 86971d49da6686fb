// QuickBooks Online as the shared suites and the sync benchmark drive it.
import { expect } from 'vitest'
import { quickbooksConnector } from '../../../src/modules/sources/connectors/quickbooks/index.ts'
import type {
  QuickBooksSecrets,
  QuickBooksSettings,
} from '../../../src/modules/sources/connectors/quickbooks/schemas.ts'
import { fingerprint } from '../../../src/modules/sources/connectors/quickbooks/tokens.ts'
import { serverErrorDetail } from '../../fakes/quickbooks/fake-api.ts'
import { QuickBooksFake } from '../../fakes/quickbooks/fake-server.ts'
import { synced } from '../../sources/fakes.ts'
import type { ConnectorSpec } from '../conformance.ts'
import type { SyncSpec } from '../sync-conformance.ts'

export const queryCalls = (fake: QuickBooksFake) =>
  fake.requests.filter((r) => r.path === `/v3/company/${fake.realmId}/query`)
export const tokenCalls = (fake: QuickBooksFake) =>
  fake.requests.filter((r) => r.path === '/oauth2/v1/tokens/bearer')
export const queryOf = (r: { query: URLSearchParams }) => r.query.get('query') ?? ''

/** The secrets of a connection that went through the consent: tokens fresh from the fake. */
const held = new WeakMap<QuickBooksFake, QuickBooksSecrets>()
export function heldSecrets(fake: QuickBooksFake): QuickBooksSecrets {
  let secrets = held.get(fake)
  if (!secrets) {
    const granted = fake.grant()
    secrets = {
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      refreshToken: granted.refreshToken,
      accessToken: granted.accessToken,
      accessTokenExpiresAt: new Date(Date.now() + granted.expiresIn * 1000).toISOString(),
      accessTokenFor: fingerprint(granted.refreshToken),
    }
    held.set(fake, secrets)
  }
  return secrets
}

const isoSeconds = (seconds: number) =>
  new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '-00:00')

export const quickbooksSpec: ConnectorSpec<QuickBooksFake, QuickBooksSettings, QuickBooksSecrets> =
  {
    label: 'QuickBooks',
    connector: quickbooksConnector,
    start: (options) => QuickBooksFake.start(options),
    settings: (fake) => ({ realmId: fake.realmId, baseUrl: fake.url }),
    secrets: heldSecrets,
    wrongSecrets: {
      clientId: 'someone',
      clientSecret: 'else',
      refreshToken: 'RT1-not-a-token',
      accessToken: 'eyJnot-a-token',
      accessTokenExpiresAt: '2999-01-01T00:00:00.000Z',
      accessTokenFor: fingerprint('RT1-not-a-token'),
    },
    refusedKeySays: 'Token revoked',
    // Full runs come by Id; changes by LastUpdatedTime, in no stated order within a second.
    ordered: false,
    seed: (fake, count) => {
      const created = Array.from({ length: count }, (_, i) =>
        String(
          fake.createCustomer({
            DisplayName: `Company ${i}`,
            PrimaryEmailAddr: { Address: `c${i}@example.com` },
          }).Id,
        ),
      )
      fake.advance(3600)
      return created
    },
    rename: (fake, id, name) => {
      fake.updateCustomer(id, { DisplayName: name })
    },
    touch: (fake, id) => {
      fake.updateCustomer(id, { PrimaryPhone: { FreeFormNumber: '(415) 555-0100' } })
    },
    remove: (fake, id) => {
      fake.deleteCustomer(id)
    },
    create: (fake, name) => String(fake.createCustomer({ DisplayName: name }).Id),
    expectCheckCalls: (fake) => {
      expect(fake.requests).toHaveLength(1)
      const [call] = queryCalls(fake)
      expect(call?.headers.authorization).toBe(`Bearer ${heldSecrets(fake).accessToken ?? ''}`)
      expect(call?.headers.accept).toBe('application/json')
      expect(call?.query.get('minorversion')).toBe('75')
      expect(queryOf(call ?? { query: new URLSearchParams() })).toBe(
        'SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 1',
      )
    },
    expectPagingCalls: (fake) => {
      expect(queryCalls(fake).map(queryOf)).toEqual(
        [1, 101, 201].map(
          (n) => `SELECT * FROM Customer ORDERBY Id STARTPOSITION ${n} MAXRESULTS 100`,
        ),
      )
    },
    fullRunCursor: (fake) => ({ v: 1, updatedAt: fake.now() - 60, seen: {} }),
    expectResumeCalls: (fake) => {
      expect(queryCalls(fake).map(queryOf)).toEqual([
        'SELECT * FROM Customer ORDERBY Id STARTPOSITION 101 MAXRESULTS 100',
      ])
    },
    changeGap: 120,
    moreChanges: (fake, seeded) => {
      // A second address in the email field: one more contact.
      const id = seeded[2] ?? ''
      fake.updateCustomer(id, { PrimaryEmailAddr: { Address: 'c2@example.com; ap@c2.example' } })
      return [id]
    },
    expectChanges: (fake, got, seeded) => {
      expect(got.get(seeded[2] ?? '')?.contacts.map((c) => [c.email, c.isMain])).toEqual([
        ['c2@example.com', true],
        ['ap@c2.example', false],
      ])
      expect(queryOf(queryCalls(fake).at(-1) ?? { query: new URLSearchParams() })).toBe(
        `SELECT * FROM Customer WHERE Active IN (true, false) AND MetaData.LastUpdatedTime >= '${isoSeconds(fake.now() - 120 - 60)}' ORDERBY MetaData.LastUpdatedTime STARTPOSITION 1 MAXRESULTS 100`,
      )
    },
    expectCursorAfterChange: (fake, cursor) => {
      expect(cursor).toMatchObject({ updatedAt: fake.now() })
    },
    refresh: {
      expire: (fake) => {
        fake.expireAccessTokens()
        heldSecrets(fake).accessTokenExpiresAt = new Date(Date.now() - 1000).toISOString()
      },
      expectRefreshed: (fake, secrets) => {
        const held = heldSecrets(fake)
        if (secrets === null) {
          expect(tokenCalls(fake)).toEqual([])
          return
        }
        // A new access token and a new refresh token: the old one is spent.
        const [call] = tokenCalls(fake)
        expect(new URLSearchParams(call?.body).get('grant_type')).toBe('refresh_token')
        expect(new URLSearchParams(call?.body).get('refresh_token')).toBe(held.refreshToken)
        expect(secrets.refreshToken).toBe(fake.latestRefreshToken)
        expect(secrets.refreshToken).not.toBe(held.refreshToken)
        expect(secrets.accessToken).not.toBe(held.accessToken)
        expect(secrets.accessTokenFor).toBe(fingerprint(secrets.refreshToken))
        expect(Date.parse(secrets.accessTokenExpiresAt ?? '')).toBeGreaterThan(
          Date.now() + 3_500_000,
        )
      },
    },
    webhook: {
      secrets: (fake) => ({
        ...heldSecrets(fake),
        webhookVerifierToken: fake.webhookVerifierToken,
      }),
      unconfigured: heldSecrets,
      unconfiguredSays: 'verifier token',
      prepare: (fake) => {
        fake.createCustomer({ DisplayName: 'Hooked', PrimaryEmailAddr: { Address: 'h@x.example' } })
      },
      send: (fake, url) => fake.sendWebhook(url),
      refused: [
        {
          name: 'a call signed with another verifier token',
          send: (fake, url) => fake.sendWebhook(url, { token: 'someone-elses-token' }),
          says: 'does not match',
        },
        {
          name: 'a call without a signature',
          send: (fake, url) => fake.sendWebhook(url, { signature: null }),
          says: 'no intuit-signature',
        },
        {
          name: 'a call whose signature is not base64 of the body’s HMAC',
          send: (fake, url) => fake.sendWebhook(url, { signature: 'c2lnbmF0dXJl' }),
        },
      ],
    },
  }

/** Acme Industries SAS (Paris): two addresses in its email field, the first the main one. */
export const acme = (fake: QuickBooksFake): string =>
  String(
    fake.createCustomer({
      DisplayName: 'Acme Industries',
      CompanyName: 'Acme Industries SAS',
      GivenName: 'Marie',
      FamilyName: 'Dubois',
      PrimaryEmailAddr: { Address: 'marie.dubois@acme.example, ap@acme.example' },
      PrimaryPhone: { FreeFormNumber: '01 84 80 12 34' },
      BillAddr: { Line1: '12 rue des Lilas', City: 'Paris', PostalCode: '75011', Country: 'FR' },
      CurrencyRef: { value: 'EUR', name: 'Euro' },
    }).Id,
  )

export const people = (customer: any) =>
  customer.contacts.map((c: any) => [c.email, c.isMain, c.firstName ?? null])

export const quickbooksSync: SyncSpec<QuickBooksFake> = {
  system: 'quickbooks',
  label: 'QuickBooks',
  start: () => QuickBooksFake.start(),
  connection: (fake) => ({
    settings: { realmId: fake.realmId, baseUrl: fake.url },
    secrets: {
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      refreshToken: fake.grant().refreshToken,
      webhookVerifierToken: fake.webhookVerifierToken,
    },
  }),
  later: (fake) => {
    fake.advance(120)
  },
  acme,
  create: (fake, { name, email }) =>
    String(
      fake.createCustomer({
        DisplayName: name,
        ...(email ? { PrimaryEmailAddr: { Address: email } } : {}),
      }).Id,
    ),
  rename: (fake, id, name) => {
    fake.updateCustomer(id, { DisplayName: name, CompanyName: name })
  },
  remove: (fake, id) => {
    fake.deleteCustomer(id)
  },
  forget: (fake, id) => {
    fake.customers.delete(id)
  },
  incremental: {
    fill: (fake) => {
      const ids = {
        acme: acme(fake),
        other: String(
          fake.createCustomer({
            DisplayName: 'Bolt GmbH',
            PrimaryEmailAddr: { Address: 'ap@bolt.example; cfo@bolt.example' },
          }).Id,
        ),
      }
      fake.createCustomer({ DisplayName: 'Cactus Supply' })
      return ids
    },
    // An address replaced, and a main contact replaced by a new first address.
    change: (fake, ids) => {
      fake.updateCustomer(ids.acme, {
        PrimaryEmailAddr: { Address: 'marie.dubois@acme.example, purchasing@acme.example' },
      })
      fake.updateCustomer(ids.other, {
        GivenName: 'Otto',
        PrimaryEmailAddr: { Address: 'owner@bolt.example, ap@bolt.example' },
      })
    },
    expect: async (api, ids) => {
      expect(people(await synced(api, ids.acme))).toEqual([
        ['marie.dubois@acme.example', true, 'Marie'],
        ['purchasing@acme.example', false, null],
      ])
      expect(people(await synced(api, ids.other))).toEqual([
        ['owner@bolt.example', true, 'Otto'],
        ['ap@bolt.example', false, null],
      ])
    },
  },
  webhook: {
    change: (fake, id) => {
      fake.updateCustomer(id, { GivenName: 'Maria' })
    },
    expectChanged: async (api, id) => {
      expect((await synced(api, id)).mainContact.firstName).toBe('Maria')
    },
    send: (fake, url) => fake.sendWebhook(url),
    refused: [
      (fake, url) => fake.sendWebhook(url, { token: 'not-the-verifier-token' }),
      (fake, url) => fake.sendWebhook(url, { signature: null }),
      (fake, url) => fake.sendWebhook(url, { format: 'cloudevents', signature: 'AAAA' }),
    ],
  },
  owned: {
    field: 'city',
    value: 'Lyon',
    column: 'City',
    imported: 'Lyon',
    kept: { city: 'Paris' },
  },
  changeContacts: (fake, id) => {
    fake.updateCustomer(id, {
      PrimaryEmailAddr: { Address: 'new-main@acme.example, more@acme.example' },
    })
  },
  serverErrorSays: `error 500: ${serverErrorDetail}`,
  revokedSays: 'Token revoked',
  wrongKey: 'RT1-not-a-token',
  wrongKeySays: 'the refresh token was revoked, has expired or was already used (invalid_grant)',
  reconnection: {
    secrets: (fake, good) => ({
      refreshToken: good ? fake.grant().refreshToken : 'RT1-not-a-token',
    }),
    again: 'connect to QuickBooks again',
  },
  crash: {
    expectStored: (stored) => {
      expect(stored).toEqual({ v: 1, full: { position: 201, startedAt: expect.any(Number) } })
    },
    expectResumed: (fake) => {
      expect(queryCalls(fake).map(queryOf)).toEqual([
        'SELECT * FROM Customer ORDERBY Id STARTPOSITION 201 MAXRESULTS 100',
      ])
    },
    // 150 changes in one second: the cursor keeps the SyncTokens applied in it.
    beforeChanges: () => undefined,
  },
}
