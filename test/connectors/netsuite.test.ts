import { execFile } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import { createOrganization } from '../../src/modules/organizations/organizations.service.ts'
import { accountHost } from '../../src/modules/sources/connectors/netsuite/client.ts'
import { netsuiteConnector } from '../../src/modules/sources/connectors/netsuite/index.ts'
import {
  deletedCustomer,
  mapNetSuiteCustomer,
} from '../../src/modules/sources/connectors/netsuite/map.ts'
import {
  netsuiteSecrets,
  netsuiteSettings,
} from '../../src/modules/sources/connectors/netsuite/schemas.ts'
import { NetSuiteFake } from '../fakes/netsuite/fake-server.ts'
import { listedCustomers, synced, track } from '../sources/fakes.ts'
import { isolatedStore } from '../sources/isolated.ts'
import { json } from '../support.ts'
import { connectorConformance, withFake } from './conformance.ts'
import { connector, syncConformance, syncEnvironment } from './sync-conformance.ts'
import {
  acme,
  at,
  netsuiteSpec,
  netsuiteSync,
  people,
  queries,
  subsidiary,
} from './specs/netsuite.ts'
import { fixture, sourceError } from './support.ts'

connectorConformance(netsuiteSpec)

// The real NetSuite connector (token-based auth, SuiteQL) through the engine, against its fake.
const env = await syncEnvironment()
syncConformance(netsuiteSync, env)

describe('NetSuite’s contact rule through the engine', () => {
  const { connected, syncNow } = connector(netsuiteSync, env)

  it('makes the customer’s own email main and its own related contacts additional, never another company’s', async () => {
    let ids: Record<string, string> = {}
    const setup = await connected((fake) => {
      const acmeId = acme(fake)
      // A group: the parent's own contact related to its sub-customer stays the parent's.
      const parent = fake.createCustomer({ companyname: 'Groupe Nord', email: 'ap@nord.example' })
      const child = fake.createCustomer({ companyname: 'Nord Lille', email: 'lille@nord.example' })
      const cfo = fake.createContact({
        company: parent,
        email: 'cfo@nord.example',
        firstname: 'Eva',
      })
      fake.attach(cfo, child)
      // No email of its own: the Primary Contact (-10) is main.
      const port = fake.createCustomer({ companyname: 'Brasserie du Port' })
      fake.createContact({ company: port, email: 'hugo@port.example', firstname: 'Hugo' })
      fake.createContact({
        company: port,
        email: 'ines@port.example',
        firstname: 'Inès',
        role: '-10',
      })
      // A person: named by first and last name, its own main contact.
      const person = fake.createCustomer({
        isperson: true,
        firstname: 'Jeanne',
        lastname: 'Roux',
        email: 'jeanne@roux.example',
      })
      // Only a subsidiary's contact related to it: no contact at all.
      const lonely = fake.createCustomer({ companyname: 'Seul SARL' })
      const other = fake.createContact({ company: subsidiary, email: 'desk@holding.example' })
      fake.attach(other, lonely)
      ids = { acme: acmeId, parent, child, port, person, lonely }
    })
    const { api, first } = setup
    expect(first).toMatchObject({ created: 6, skipped: 0 })
    const company = await synced(api, ids.acme ?? '')
    expect(company).toMatchObject({ name: 'Acme Industries SAS', accountingCode: 'ACC-4471' })
    expect(company.contacts).toMatchObject([
      // The related contact with the customer's email merged in: its names and title.
      {
        externalId: ids.acme,
        email: 'ap@acme.example',
        firstName: 'Marie',
        lastName: 'Dubois',
        phone: '+33144556677',
        role: 'ACCOUNTING',
        isMain: true,
        source: 'netsuite',
      },
      { email: 'achats@acme.example', firstName: 'Paul', role: 'PURCHASER', isMain: false },
    ])
    expect(people(await synced(api, ids.parent ?? ''))).toEqual([
      ['ap@nord.example', null, true],
      ['cfo@nord.example', 'Eva', false],
    ])
    expect(people(await synced(api, ids.child ?? ''))).toEqual([['lille@nord.example', null, true]])
    expect(people(await synced(api, ids.port ?? ''))).toEqual([
      ['ines@port.example', 'Inès', true],
      ['hugo@port.example', 'Hugo', false],
    ])
    const person = await synced(api, ids.person ?? '')
    expect(person.name).toBe('Jeanne Roux')
    expect(people(person)).toEqual([['jeanne@roux.example', 'Jeanne', true]])
    expect((await synced(api, ids.lonely ?? '')).contacts).toEqual([])
  })

  it('archives a customer made inactive with its contacts, restores it when active again, and leaves inactive ones out of a first sync', async () => {
    let ids = { acme: '', dormant: '' }
    const setup = await connected((fake) => {
      ids = {
        acme: acme(fake),
        dormant: fake.createCustomer({
          companyname: 'Dormant',
          email: 'a@d.example',
          isinactive: true,
        }),
      }
    })
    const { fake, api, first } = setup
    expect(first).toMatchObject({ created: 1 })
    expect(await synced(api, ids.dormant)).toBeUndefined()
    fake.advance(600)
    fake.updateCustomer(ids.acme, { isinactive: true })
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', archived: 1 })
    expect(await listedCustomers(api)).toEqual([])
    fake.advance(600)
    fake.updateCustomer(ids.acme, { isinactive: false })
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', updated: 1 })
    expect((await synced(api, ids.acme)).contacts).toHaveLength(2)
  })

  it('skips and reports a malformed customer or contact, never half-applies it, and completes the run', async () => {
    let ids = { acme: '', odd: '', fine: '' }
    const setup = await connected((fake) => {
      ids = {
        acme: acme(fake),
        odd: fake.createCustomer({ companyname: 'Odd', email: 'odd@odd.example' }),
        fine: fake.createCustomer({ companyname: 'Fine', email: 'ap@fine.example' }),
      }
    })
    const { fake, api, id } = setup
    const before = await synced(api, ids.acme)
    fake.advance(600)
    fake.corrupt.set(`customer/${ids.odd}`, { isinactive: 'maybe' })
    fake.updateCustomer(ids.odd, { companyname: 'Odd renamed' })
    // A contact that cannot be read: Acme's renaming and contact change wait for it to be fixed.
    const paul = [...fake.contacts.values()].find((c) => c.email === 'achats@acme.example')
    fake.corrupt.set(`contact/${String(paul?.id)}`, { company: 'abc' })
    fake.updateContact(String(paul?.id), { firstname: 'Pauline' })
    fake.updateCustomer(ids.acme, { companyname: 'Acme SA', email: 'new@acme.example' })
    fake.updateCustomer(ids.fine, { companyname: 'Fine SA' })
    const run = await syncNow(setup)
    expect(run).toMatchObject({ status: 'completed', updated: 1, skipped: 2 })
    const runs = json(await api.get(`/api/v1/connections/${id}/runs`)).data
    expect(runs[0].errors).toEqual([
      {
        externalId: ids.acme,
        reason: expect.stringContaining(
          `NetSuite customer ${ids.acme} was left unchanged: its contact ${String(paul?.id)} could not be read`,
        ),
      },
      {
        externalId: ids.odd,
        reason: expect.stringMatching(
          /^NetSuite customer \d+ could not be read \(isinactive: .*\); fix it in NetSuite\.$/,
        ),
      },
    ])
    expect(await synced(api, ids.acme)).toMatchObject({
      name: before.name,
      contacts: before.contacts,
    })
    expect((await synced(api, ids.odd)).name).toBe('Odd')
    expect((await synced(api, ids.fine)).name).toBe('Fine SA')
  })
})

describe('NetSuite, which sends no webhooks', () => {
  const { connected } = connector(netsuiteSync, env)

  it('refuses every call to the webhook URL and runs nothing', async () => {
    const setup = await connected((fake) => {
      fake.createCustomer({ companyname: 'A', email: 'a@a.example' })
    })
    const res = await fetch(`${env.base}/webhooks/netsuite/${setup.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(401)
    expect(await env.kit.runs(setup.org, setup.id)).toHaveLength(1)
  })
})

describe('the NetSuite connector on what only NetSuite does', () => {
  const { fake, secrets, full, changes } = withFake(netsuiteSpec)

  it('signs every call with OAuth 1.0a HMAC-SHA256, the account id as realm; the fake refuses a wrong signature or realm', async () => {
    fake().createCustomer({ companyname: 'A', email: 'a@a.example' })
    await full()
    const headers = fake().requests.map((r) => r.headers.authorization ?? '')
    const nonces = headers.map((h) => /oauth_nonce="([^"]+)"/.exec(h)?.[1])
    expect(new Set(nonces).size).toBe(headers.length)
    for (const header of headers) {
      expect(header).toMatch(
        /^OAuth realm="1234567_SB1",oauth_consumer_key="[^"]+",oauth_nonce="[^"]+",oauth_signature="[^"]+",oauth_signature_method="HMAC-SHA256",oauth_timestamp="\d+",oauth_token="[^"]+",oauth_version="1.0"$/,
      )
    }
    const settings = netsuiteSpec.settings(fake())
    const refused = [
      { ...secrets(), consumerSecret: 'not-the-secret' },
      { ...secrets(), tokenSecret: 'not-the-secret' },
    ]
    for (const wrong of refused) {
      const error = await sourceError(netsuiteConnector.check(settings, wrong), 'auth_revoked')
      expect(error.message).toMatch(/^Invalid login attempt.*\(INVALID_LOGIN\)$/)
    }
    const otherAccount = { ...settings, accountId: '7654321' }
    await sourceError(netsuiteConnector.check(otherAccount, secrets()), 'auth_revoked')
    // A lower-case sandbox id is sent as NetSuite writes it.
    await netsuiteConnector.check({ ...settings, accountId: '1234567_sb1' }, secrets())
  })

  it('sends SuiteQL as a transient POST with limit and offset, to the base URL plus the real path', async () => {
    fake().createCustomer({ companyname: 'A', email: 'a@a.example' })
    await full()
    const calls = fake().requests.filter((r) => r.method === 'POST')
    expect(calls.map((r) => [r.path, r.headers.prefer, r.headers['content-type']])).toEqual(
      calls.map(() => ['/services/rest/query/v1/suiteql', 'transient', 'application/json']),
    )
    expect(queries(fake())[0]).toBe(
      "SELECT TO_CHAR(SYSDATE, 'YYYY-MM-DD HH24:MI:SS') AS now FROM dual",
    )
    expect(accountHost('1234567_SB1')).toBe('https://1234567-sb1.suitetalk.api.netsuite.com')
    expect(accountHost('1234567')).toBe('https://1234567.suitetalk.api.netsuite.com')
  })

  it('follows changes in the account’s own clock, whatever its time zone', async () => {
    const tokyo = track(await NetSuiteFake.start({ zoneHours: 9, now: 1_750_000_000 }))
    const id = tokyo.createCustomer({ companyname: 'Kaisha', email: 'k@k.example' })
    tokyo.advance(3600)
    const request = (cursor: unknown, mode: 'full' | 'incremental') => ({
      settings: tokyo.settings(),
      secrets: tokyo.secrets(),
      cursor,
      mode,
    })
    const pages = []
    for await (const page of netsuiteConnector.list(request(null, 'full'))) pages.push(page)
    expect(pages.at(-1)?.cursor).toEqual({ v: 1, since: at(tokyo, -60), seen: {} })
    expect(at(tokyo)).toBe('2025-06-16 01:06:40')
    tokyo.advance(300)
    tokyo.updateCustomer(id, { companyname: 'Kaisha KK' })
    const changed = []
    for await (const page of netsuiteConnector.list(request(pages.at(-1)?.cursor, 'incremental'))) {
      changed.push(...page.customers.map((c) => c.name))
    }
    expect(changed).toEqual(['Kaisha KK'])
  })

  it('brings a customer whose related contact changed though the customer did not, and archives a deleted one', async () => {
    const [a = '', b = ''] = netsuiteSpec.seed(fake(), 3)
    const contact = fake().createContact({ company: a, email: 'x@a.example' })
    const cursor = (await full()).at(-1)?.cursor
    fake().advance(600)
    fake().updateContact(contact, { email: 'y@a.example' })
    fake().deleteCustomer(b)
    const got = (await changes(cursor)).flatMap((p) => p.customers)
    expect(got.map((c) => [c.externalId, c.archived])).toEqual([
      [a, false],
      [b, true],
    ])
    expect(got[0]?.contacts.map((c) => c.email)).toEqual(['c0@example.com', 'y@a.example'])
  })

  it('says why NetSuite throttled the account, and a query it refused', async () => {
    fake().createCustomer({ companyname: 'A' })
    fake().failNext(1, { status: 429 })
    const throttled = await sourceError(full(), 'rate_limited')
    expect(throttled.message).toBe(
      'Concurrent request limit exceeded. Request blocked. (CONCURRENCY_LIMIT_EXCEEDED)',
    )
    const client = netsuiteSpec.settings(fake())
    const odd = await sourceError(
      netsuiteConnector.check({ ...client, baseUrl: `${fake().url}/nowhere` }, secrets()),
      'not_found',
    )
    expect(odd.message).toContain('no REST web services endpoint for account "1234567_SB1"')
  })
})

const customers = (await fixture('netsuite', 'suiteql-customers')).items as unknown[]
const contacts = (await fixture('netsuite', 'suiteql-contacts')).items as any[]

describe('mapping a NetSuite customer', () => {
  const of = (id: string) => contacts.filter((c) => c.customer === id)
  const mapped = (n: number) => {
    const raw = customers[n] as { id: string }
    return mapNetSuiteCustomer(raw, of(raw.id))
  }

  it('takes the company name and account number, the customer’s email as main, its own contacts as additional', () => {
    const { customer, skipped } = mapped(0)
    expect(skipped).toEqual([])
    expect(customer).toMatchObject({
      externalId: '107',
      name: 'Atelier Dubois SARL',
      accountingCode: 'ACC-4471',
      archived: false,
    })
    expect(customer?.contacts).toEqual([
      {
        externalId: '107',
        email: 'compta@atelier-dubois.example',
        // Merged from the related contact with the same email, in another case.
        firstName: 'Marc',
        lastName: 'Petit',
        phone: '+33 1 44 55 66 77',
        role: 'ACCOUNTING',
        isMain: true,
      },
      {
        externalId: '2203',
        email: 'lucie.moreau@atelier-dubois.example',
        firstName: 'Lucie',
        lastName: 'Moreau',
        phone: '+33 6 11 22 33 44',
        role: 'ACCOUNTING',
        isMain: false,
      },
    ])
  })

  it('leaves out the group’s contact related to the customer, inactive contacts and contacts without email', () => {
    const emails = mapped(0).customer?.contacts.map((c) => c.email)
    expect(emails).not.toContain('p.girard@groupe-dubois.example')
    expect(emails).not.toContain('parti@atelier-dubois.example')
    expect(emails).toHaveLength(2)
  })

  it('names a person by first and last name and keeps them on its main contact', () => {
    expect(mapped(1).customer).toMatchObject({
      name: 'Jeanne Roux',
      contacts: [
        {
          externalId: '108',
          email: 'jeanne.roux@example.org',
          firstName: 'Jeanne',
          lastName: 'Roux',
          isMain: true,
        },
      ],
    })
  })

  it('makes the Primary Contact main when the customer has no email', () => {
    expect(mapped(2).customer?.contacts.map((c) => [c.externalId, c.isMain, c.role])).toEqual([
      ['2401', true, 'PURCHASER'],
      ['2400', false, null],
    ])
  })

  it('archives an inactive customer without contacts, and a deleted one', () => {
    expect(mapped(3).customer).toMatchObject({ externalId: '110', archived: true, contacts: [] })
    expect(deletedCustomer('111')).toMatchObject({
      externalId: '111',
      archived: true,
      contacts: [],
    })
  })

  it('reports an invalid email and leaves it out; skips a row without an id', () => {
    const { customer, skipped } = mapNetSuiteCustomer(
      { id: '5', companyname: 'X', email: 'not an email' },
      [{ customer: '5', contact: '6', company: '5', email: 'also wrong' }],
    )
    expect(customer?.contacts).toEqual([])
    expect(skipped.map((s) => s.reason)).toEqual([
      'Contact 6 of customer 5 was left out: "also wrong" is not a valid email address.',
      'The email "not an email" of NetSuite customer 5 is not a valid address: it was left out of the contacts.',
    ])
    expect(mapNetSuiteCustomer({ companyname: 'No id' }, []).skipped[0]?.reason).toMatch(
      /^NetSuite customer \(without id\) could not be read \(id: .*\); fix it in NetSuite\.$/,
    )
  })
})

describe('NetSuite connection settings', () => {
  it('takes the account id and an optional base URL; needs the four token secrets', () => {
    expect(netsuiteSettings.safeParse({ accountId: '1234567_SB1' }).success).toBe(true)
    expect(
      netsuiteSettings.safeParse({ accountId: 'acme.netsuite.com' }).error?.issues[0]?.message,
    ).toBe('Enter the NetSuite account id, like 1234567 or 1234567_SB1 for a sandbox.')
    const missing = netsuiteSecrets.safeParse({
      consumerKey: 'k',
      consumerSecret: 's',
      tokenId: 't',
    })
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['tokenSecret'])
  })
})

// Its own database: the CLI's processes must not take the other tests' jobs.
const isolated = await isolatedStore()
afterAll(() => isolated.close())

describe('the command line with NetSuite', () => {
  const bin = new URL('../../bin/roster', import.meta.url).pathname
  const roster = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(bin, args, { env: { ...process.env, ...isolated.env } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      })
    })

  it(
    'adds a connection with the account id and tokens against the fake, and refuses a wrong token readably',
    { timeout: 300_000 },
    async () => {
      const fake = track(await NetSuiteFake.start())
      const org = await createOrganization(isolated.store.db, {
        name: 'CLI NetSuite',
        country: 'FR',
      })
      await createApiKey(isolated.store.db, org.id, { name: 'test' })
      const add = (tokenSecret: string) =>
        roster(
          'connection',
          'add',
          '--org',
          org.slug,
          '--system',
          'netsuite',
          '--base-url',
          fake.url,
          '--setting',
          `accountId=${fake.accountId}`,
          '--secret',
          `consumerKey=${fake.consumerKey}`,
          '--secret',
          `consumerSecret=${fake.consumerSecret}`,
          '--secret',
          `tokenId=${fake.tokenId}`,
          '--secret',
          `tokenSecret=${tokenSecret}`,
          '--json',
        )
      // One after the other, as the other systems' command-line tests: two processes starting at
      // once on a fresh embedded store once hung a CI run (not reproduced since).
      const wrong = await add('wrong-secret')
      const added = await add(fake.tokenSecret)
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toContain('NetSuite refused these credentials (Invalid login attempt.')
      expect(wrong.stderr).toContain('(INVALID_LOGIN)); check the tokens and try again.')
      expect(added.stderr).toBe('')
      expect(JSON.parse(added.stdout)).toEqual({
        id: expect.any(String),
        system: 'netsuite',
        name: 'NetSuite',
        status: 'active',
      })
    },
  )
})
