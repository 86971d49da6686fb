// NetSuite as the shared suites and the sync benchmark drive it.
import { expect } from 'vitest'
import { netsuiteConnector } from '../../../src/modules/sources/connectors/netsuite/index.ts'
import type {
  NetSuiteSecrets,
  NetSuiteSettings,
} from '../../../src/modules/sources/connectors/netsuite/schemas.ts'
import { NetSuiteFake } from '../../fakes/netsuite/fake-server.ts'
import { accountTime } from '../../fakes/netsuite/suiteql.ts'
import { synced } from '../../sources/fakes.ts'
import type { ConnectorSpec } from '../conformance.ts'
import type { SyncSpec } from '../sync-conformance.ts'

/** The SuiteQL queries the fake was sent, in order. */
export const queries = (fake: NetSuiteFake): string[] =>
  fake.requests
    .filter((r) => r.path === '/services/rest/query/v1/suiteql')
    .map((r) => (JSON.parse(r.body) as { q: string }).q)

const suiteqlCalls = (fake: NetSuiteFake, from: string) =>
  fake.requests.filter(
    (r) =>
      r.path === '/services/rest/query/v1/suiteql' &&
      (JSON.parse(r.body) as { q: string }).q.includes(from),
  )

/** The account's time `seconds` from now, as the cursor keeps it. */
export const at = (fake: NetSuiteFake, seconds = 0): string =>
  accountTime(fake.now() + seconds, fake.zoneOffset)

export const netsuiteSpec: ConnectorSpec<NetSuiteFake, NetSuiteSettings, NetSuiteSecrets> = {
  label: 'NetSuite',
  connector: netsuiteConnector,
  start: (options) => NetSuiteFake.start(options),
  settings: (fake) => fake.settings(),
  secrets: (fake) => fake.secrets(),
  wrongSecrets: {
    consumerKey: 'wrong-consumer',
    consumerSecret: 'wrong-secret',
    tokenId: 'wrong-token',
    tokenSecret: 'wrong-token-secret',
  },
  refusedKeySays: 'Invalid login attempt',
  // By internal id, not by change.
  ordered: false,
  seed: (fake, count) => {
    const created = Array.from({ length: count }, (_, i) =>
      fake.createCustomer({ companyname: `Company ${i}`, email: `c${i}@example.com` }),
    )
    fake.advance(3600)
    return created
  },
  rename: (fake, id, name) => {
    fake.updateCustomer(id, { companyname: name })
  },
  touch: (fake, id) => {
    fake.updateCustomer(id, { phone: '+44 20 0000 0000' })
  },
  remove: (fake, id) => {
    fake.deleteCustomer(id)
  },
  create: (fake, name) => fake.createCustomer({ companyname: name }),
  expectCheckCalls: (fake) => {
    // One signed call to the record service, the account id as realm.
    expect(fake.requests.map((r) => [r.method, r.path, r.query.toString()])).toEqual([
      ['GET', '/services/rest/record/v1/customer', 'limit=1'],
    ])
    const auth = fake.requests[0]?.headers.authorization ?? ''
    expect(auth).toMatch(/^OAuth realm="1234567_SB1",/)
    expect(auth).toContain('oauth_signature_method="HMAC-SHA256"')
    expect(auth).toContain(`oauth_token="${fake.tokenId}"`)
  },
  expectPagingCalls: (fake) => {
    // One query, followed by offset; the contacts of each page in one query.
    const pages = suiteqlCalls(fake, 'FROM customer WHERE')
    expect(pages.map((r) => [r.query.get('limit'), r.query.get('offset')])).toEqual([
      ['100', '0'],
      ['100', '100'],
      ['100', '200'],
    ])
    expect(pages.every((r) => r.headers.prefer === 'transient')).toBe(true)
    expect(suiteqlCalls(fake, 'FROM companycontactrelationship')).toHaveLength(3)
  },
  fullRunCursor: (fake) => ({ v: 1, since: at(fake, -60), seen: {} }),
  expectResumeCalls: (fake, first) => {
    // A new query after the last id applied, from offset 0.
    const after = (first.cursor as { full: { after: string } }).full.after
    const [resumed] = suiteqlCalls(fake, 'FROM customer WHERE')
    expect(JSON.parse(resumed?.body ?? '{}').q).toContain(`AND id > ${after} ORDER BY id`)
    expect(resumed?.query.get('offset')).toBe('0')
  },
  changeGap: 120,
  moreChanges: (fake, seeded) => {
    const [, , inactive = '', related = ''] = seeded
    // Made inactive: archived. A contact added: the customer is brought, though not modified.
    fake.updateCustomer(inactive, { isinactive: true })
    fake.createContact({ company: related, email: 'new@c3.example', title: 'Buyer' })
    return [inactive, related]
  },
  expectChanges: (fake, got, seeded) => {
    expect(got.get(seeded[2] ?? '')).toMatchObject({ archived: true, contacts: [] })
    expect(got.get(seeded[3] ?? '')?.contacts.map((c) => [c.email, c.isMain, c.role])).toEqual([
      ['c3@example.com', true, null],
      ['new@c3.example', false, 'PURCHASER'],
    ])
    expect(got.get(seeded[1] ?? '')).toMatchObject({ archived: true, contacts: [] })
    const since = `TO_TIMESTAMP('${at(fake, -120 - 60)}', 'YYYY-MM-DD HH24:MI:SS')`
    expect(queries(fake).filter((q) => q.includes(since))).toEqual([
      `SELECT id FROM customer WHERE lastmodifieddate >= ${since} ORDER BY id`,
      `SELECT DISTINCT r.company AS id FROM companycontactrelationship r JOIN contact c ON c.id = r.contact WHERE c.lastmodifieddate >= ${since} ORDER BY r.company`,
      `SELECT recordid AS id FROM deletedrecord WHERE recordtype = 'customer' AND deleteddate >= ${since} ORDER BY recordid`,
    ])
  },
  expectCursorAfterChange: (fake, cursor) => {
    expect(cursor).toMatchObject({ v: 1, since: at(fake, -60) })
  },
}

/** The internal id of a subsidiary (not a customer) whose contacts can be related to customers. */
export const subsidiary = '1'

/**
 * The contact rule's cases in one customer: its own email main; a contact of its own, one with
 * the main email (merged), an inactive one, one without email; a subsidiary's contact related.
 */
export const acme = (fake: NetSuiteFake): string => {
  const id = fake.createCustomer({
    companyname: 'Acme Industries SAS',
    email: 'ap@acme.example',
    phone: '+33 1 44 55 66 77',
    accountnumber: 'ACC-4471',
  })
  fake.createContact({
    company: id,
    firstname: 'Marie',
    lastname: 'Dubois',
    email: 'AP@acme.example',
    title: 'Comptable',
  })
  fake.createContact({
    company: id,
    firstname: 'Paul',
    lastname: 'Martin',
    email: 'achats@acme.example',
    title: 'Purchasing manager',
  })
  fake.createContact({ company: id, email: 'old@acme.example', isinactive: true })
  fake.createContact({ company: id, firstname: 'Nobody' })
  const cfo = fake.createContact({ company: subsidiary, email: 'cfo@acme-holding.example' })
  fake.attach(cfo, id)
  return id
}

export const people = (customer: any) =>
  customer.contacts.map((c: any) => [c.email, c.firstName, c.isMain])

export const netsuiteSync: SyncSpec<NetSuiteFake> = {
  system: 'netsuite',
  label: 'NetSuite',
  start: () => NetSuiteFake.start(),
  connection: (fake) => ({ settings: fake.settings(), secrets: fake.secrets() }),
  /** The first incremental run reads again the minute before the full run began. */
  later: (fake) => {
    fake.advance(120)
  },
  acme: (fake) => acme(fake),
  create: (fake, { name, email }) =>
    fake.createCustomer({ companyname: name, ...(email ? { email } : {}) }),
  rename: (fake, id, name) => {
    fake.updateCustomer(id, { companyname: name })
  },
  remove: (fake, id) => {
    fake.deleteCustomer(id)
  },
  forget: (fake, id) => {
    fake.forget(id)
  },
  incremental: {
    fill: (fake) => {
      const acmeId = acme(fake)
      const other = fake.createCustomer({ companyname: 'Bolt GmbH' })
      fake.createContact({ company: other, email: 'anna@bolt.example', role: '-10' })
      fake.createContact({ company: other, email: 'cfo@bolt.example', title: 'Finance' })
      return { acme: acmeId, other }
    },
    // A contact made inactive and one added at Acme; Bolt's own email appears.
    change: (fake, { acme: acmeId, other }) => {
      const paul = [...fake.contacts.values()].find((c) => c.email === 'achats@acme.example')
      fake.updateContact(String(paul?.id), { isinactive: true })
      fake.createContact({ company: acmeId, email: 'new@acme.example', title: 'Sales' })
      fake.updateCustomer(other, { email: 'owner@bolt.example' })
    },
    expect: async (api, { acme: acmeId, other }) => {
      const after = await synced(api, acmeId)
      expect(after.contacts.map((c: any) => [c.email, c.isMain, c.role])).toEqual([
        ['ap@acme.example', true, 'ACCOUNTING'],
        ['new@acme.example', false, 'SALES'],
      ])
      expect(people(await synced(api, other))).toEqual([
        ['owner@bolt.example', null, true],
        ['anna@bolt.example', null, false],
        ['cfo@bolt.example', null, false],
      ])
    },
  },
  owned: {
    field: 'accountingCode',
    value: 'X-1',
    column: 'Accounting code',
    imported: 'ACC-9',
    kept: { accountingCode: 'ACC-4471' },
  },
  changeContacts: (fake, id) => {
    fake.updateCustomer(id, { email: 'new-main@acme.example' })
    fake.createContact({ company: id, email: 'more@acme.example' })
  },
  serverErrorSays: 'error 500: An unexpected error occurred. (UNEXPECTED_ERROR)',
  revokedSays:
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail. (INVALID_LOGIN)',
  wrongKey: 'still-wrong-token',
  wrongKeySays:
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail. (INVALID_LOGIN)',
  reconnection: {
    secrets: (fake, good) => ({
      tokenId: good ? fake.tokenId : 'still-wrong-token',
      tokenSecret: good ? fake.tokenSecret : 'wrong',
    }),
    again: 'check the tokens and try again',
  },
  crash: {
    expectStored: (stored, ids) => {
      expect(stored.full).toMatchObject({ after: ids[199] })
    },
    expectResumed: (fake, stored) => {
      const listings = queries(fake).filter((q) => q.includes('FROM customer WHERE isinactive'))
      expect(listings).toEqual([
        `SELECT id, entityid, companyname, isperson, firstname, lastname, email, phone, accountnumber, isinactive FROM customer WHERE isinactive = 'F' AND id > ${String(stored.full.after)} ORDER BY id`,
      ])
    },
    resumedPages: 2,
    beforeChanges: () => undefined,
  },
}
