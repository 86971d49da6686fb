import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import { createOrganization } from '../../src/modules/organizations/organizations.service.ts'
import { client, json, testApp, type Client } from '../support.ts'
import { ChargebeeFake } from '../fakes/chargebee/fake-server.ts'
import { StripeFake } from '../fakes/stripe/fake-server.ts'
import { XeroFake } from '../fakes/xero/fake-server.ts'
import { listedCustomers, synced, track } from './fakes.ts'
import { isolatedStore } from './isolated.ts'

// The command line against the real connectors and their fakes: `roster sync` runs sync jobs,
// so these processes get a database of their own. Each process takes a few seconds to start:
// one story per system, each command run once.
vi.setConfig({ testTimeout: 120_000 })
const isolated = await isolatedStore()
afterAll(() => isolated.close())
const app = await testApp(isolated.store)
const bin = new URL('../../bin/roster', import.meta.url).pathname
const dir = await mkdtemp(join(tmpdir(), 'roster-cli-connectors-'))

function roster(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(bin, args, { env: { ...process.env, ...isolated.env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    })
  })
}

let orgs = 0
async function newOrg() {
  const org = await createOrganization(isolated.store.db, {
    name: `CLI connectors ${++orgs}`,
    country: 'FR',
  })
  const { key } = await createApiKey(isolated.store.db, org.id, { name: 'test' })
  return { slug: org.slug, api: client(app, key) }
}

const runIds = async (api: Client, connectionId: string) =>
  json(await api.get(`/api/v1/connections/${connectionId}/runs`)).data.map((r: any) => r.id)

describe('roster connection systems and the keys of connection add', () => {
  it('lists what each connector declares, and refuses an unknown system or key by naming the known ones', async () => {
    const listed = await roster('connection', 'systems', '--json')
    expect(listed.stderr).toBe('')
    const descriptors = JSON.parse(listed.stdout)
    expect(descriptors.map((d: any) => [d.system, d.auth, d.webhookHeader])).toEqual([
      ['chargebee', 'api_key', 'authorization'],
      ['netsuite', 'oauth1_token', null],
      ['pennylane', 'api_key', null],
      ['quickbooks', 'oauth2_authorization_code', 'intuit-signature'],
      ['salesforce', 'oauth2_authorization_code', null],
      ['sellsy', 'oauth2_client_credentials', null],
      ['stripe', 'api_key', 'stripe-signature'],
      ['xero', 'oauth2_authorization_code', 'x-xero-signature'],
      ['zuora', 'oauth2_client_credentials', 'authorization'],
    ])
    expect(
      descriptors
        .find((d: any) => d.system === 'stripe')
        .secrets.map((f: any) => [f.key, f.required]),
    ).toEqual([
      ['apiKey', true],
      ['webhookSecret', false],
    ])
    const text = await roster('connection', 'systems')
    expect(text.stdout).toContain('stripe: Stripe (api key)')
    expect(text.stdout).toContain('    --site (required): Chargebee site.')
    expect(text.stdout).toContain('    --secret webhookSecret: Webhook signing secret.')

    const add = ['connection', 'add', '--org', 'nobody']
    const unknown = await roster(...add, '--system', 'paypal', '--api-key', 'k')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe(
      'roster: Roster has no connector for "paypal"; --system is one of chargebee, netsuite, pennylane, quickbooks, salesforce, sellsy, stripe, xero, zuora (roster connection systems describes them).\n',
    )
    const noApiKey = await roster(...add, '--system', 'salesforce', '--api-key', 'k')
    expect(noApiKey.stderr).toContain('Salesforce takes no --api-key')
    const badKey = await roster(...add, '--system', 'stripe', '--secret', 'token=k')
    expect(badKey.stderr).toBe(
      'roster: Stripe takes no secret "token"; its secrets are apiKey, webhookSecret.\n',
    )
    const badShortcut = await roster(...add, '--system', 'stripe', '--api-key', 'k', '--site', 's')
    expect(badShortcut.stderr).toBe('roster: Stripe takes no --site; its settings are baseUrl.\n')
    const noValue = await roster(...add, '--system', 'chargebee', '--setting', 'site')
    expect(noValue.stderr).toBe('roster: --setting takes KEY=VALUE, not "site".\n')
  })
})

describe('the command line with Stripe', () => {
  it('connects with --base-url, syncs every page with roster sync, and roster import refuses to change what Stripe owns', async () => {
    const fake = track(await StripeFake.start())
    for (let n = 1; n <= 120; n++) {
      fake.createCustomer({
        name: `Customer ${String(n).padStart(3, '0')}`,
        email: n === 120 ? null : `ap${n}@customer${n}.example`,
        address: { city: 'Lyon', country: 'FR' },
      })
    }
    fake.advance(600)
    const { slug, api } = await newOrg()
    const added = await roster(
      'connection',
      'add',
      '--org',
      slug,
      '--system',
      'stripe',
      '--api-key',
      fake.apiKey,
      '--base-url',
      fake.url,
      '--json',
    )
    expect(added.stderr).toBe('')
    const connection = JSON.parse(added.stdout)
    expect(connection).toEqual({
      id: expect.any(String),
      system: 'stripe',
      name: 'Stripe',
      status: 'active',
    })

    const sync = await roster('sync', '--org', slug, '--json')
    expect(sync.stderr).toBe('')
    expect(sync.code).toBe(0)
    const run = JSON.parse(sync.stdout)
    expect(run).toMatchObject({
      status: 'completed',
      mode: 'full',
      counts: { created: 120, updated: 0, archived: 0, skipped: 0 },
    })
    // The first full run `connection add` queued, not another one after it.
    expect(await runIds(api, connection.id)).toEqual([run.id])
    const customers = await listedCustomers(api)
    expect(customers).toHaveLength(120)
    expect(customers.filter((c) => c.mainContact === null).map((c) => c.name)).toEqual([
      'Customer 120',
    ])
    const first = customers[0]
    expect(first).toMatchObject({ name: 'Customer 001', city: 'Lyon', source: 'stripe' })
    expect(first.mainContact.email).toBe('ap1@customer1.example')

    const path = join(dir, 'stripe.csv')
    await writeFile(
      path,
      `Customer ID;Customer name;City;Contact email;First name\n${first.externalId as string};Customer 001;Paris;;\n${first.externalId as string};Customer 001;;ap1@customer1.example;Ann\n`,
    )
    const imported = await roster('import', path, '--org', slug, '--json')
    expect(imported.code).toBe(1)
    expect(JSON.parse(imported.stdout).rejected).toMatchObject([
      {
        line: 2,
        column: 'City',
        value: 'Paris',
        reason: 'This customer is synced from Stripe: change it in Stripe.',
      },
      {
        line: 3,
        column: 'Contact email',
        value: 'ap1@customer1.example',
        reason: 'Contacts of this customer are synced from Stripe: change them in Stripe.',
      },
    ])
    expect(await synced(api, first.externalId as string)).toMatchObject({
      city: 'Lyon',
      contacts: [{ firstName: null, isMain: true }],
    })
  })
})

describe('the command line with Chargebee', () => {
  it('connects a site with --setting and --secret, syncs its contacts, and disconnects them with --yes', async () => {
    const fake = track(await ChargebeeFake.start())
    fake.createCustomer({
      id: 'acme',
      company: 'Acme Industries SAS',
      email: 'marie@acme.example',
      contacts: [
        { id: 'ct_ap', email: 'ap@acme.example', label: 'Accounts payable' },
        { id: 'ct_off', email: 'off@acme.example', enabled: false },
      ],
    })
    fake.createCustomer({
      id: 'bolt',
      company: 'Bolt GmbH',
      contacts: [{ id: 'ct_b1', email: 'ap@bolt.example' }],
    })
    fake.advance(120)
    const { slug, api } = await newOrg()
    const added = await roster(
      'connection',
      'add',
      '--org',
      slug,
      '--system',
      'chargebee',
      '--secret',
      `apiKey=${fake.apiKey}`,
      '--setting',
      `site=${fake.site}`,
      '--setting',
      `baseUrl=${fake.url}`,
      '--json',
    )
    expect(added.stderr).toBe('')
    const { id } = JSON.parse(added.stdout)
    expect(json(await api.get(`/api/v1/connections/${id as string}`))).toMatchObject({
      system: 'chargebee',
      settings: { site: fake.site, baseUrl: fake.url },
      isContactSource: true,
    })

    const sync = await roster('sync', '--org', slug, '--connection', id, '--json')
    expect(sync.stderr).toBe('')
    const run = JSON.parse(sync.stdout)
    expect(run).toMatchObject({ status: 'completed', counts: { created: 2, skipped: 0 } })
    expect(await runIds(api, id)).toEqual([run.id])
    const acme = await synced(api, 'acme')
    expect(acme.contacts.map((c: any) => [c.externalId, c.isMain, c.source])).toEqual([
      ['acme', true, 'chargebee'],
      ['ct_ap', false, 'chargebee'],
    ])
    expect((await synced(api, 'bolt')).mainContact.email).toBe('ap@bolt.example')
    const contact = `/api/v1/contacts/${acme.contacts[1].id as string}`
    expect((await api.patch(contact, { firstName: 'Paul' })).statusCode).toBe(409)

    const disconnected = await roster('contact-source', 'disconnect', '--org', slug, '--yes')
    expect(disconnected.stderr).toBe('')
    expect(disconnected.stdout).toBe(
      'Contacts are disconnected: Roster is the contact source for good. Syncs keep updating customers, never contacts.\n',
    )
    expect(json(await api.get('/api/v1/organization/contact-source'))).toMatchObject({
      source: 'roster',
      contactsDisconnected: { by: 'command line' },
    })
    expect(json(await api.patch(contact, { firstName: 'Paul' }))).toMatchObject({
      firstName: 'Paul',
      source: 'roster',
    })
    const back = await api.put('/api/v1/organization/contact-source', { connectionId: id })
    expect(back.statusCode).toBe(409)
  })
})

describe('the command line with Xero', () => {
  it('connects with a refresh token (no consent), stores the rotated one, and refuses a used one clearly', async () => {
    const fake = track(await XeroFake.start())
    fake.createContact({
      Name: 'Acme Industries SAS',
      AccountNumber: 'C-ACME',
      EmailAddress: 'marie@acme.example',
      ContactPersons: [{ FirstName: 'Paul', EmailAddress: 'ap@acme.example' }],
    })
    fake.advance(120)
    const { slug, api } = await newOrg()
    const granted = fake.grant()
    const add = (refreshToken: string) =>
      roster(
        'connection',
        'add',
        '--org',
        slug,
        '--system',
        'xero',
        '--base-url',
        fake.url,
        '--secret',
        `clientId=${granted.clientId}`,
        '--secret',
        `clientSecret=${granted.clientSecret}`,
        '--secret',
        `refreshToken=${refreshToken}`,
        '--setting',
        `tenantId=${fake.tenantId}`,
        '--json',
      )
    const refused = await add('not-a-refresh-token')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe(
      'roster: Xero refused these credentials (invalid_grant); connect to Xero again. secrets: Refused by Xero.\n',
    )
    const added = await add(granted.refreshToken)
    expect(added.stderr).toBe('')
    const connection = JSON.parse(added.stdout)
    expect(connection).toEqual({
      id: expect.any(String),
      system: 'xero',
      name: 'Xero',
      status: 'active',
    })
    // Used once by the check: the same token again is refused, the stored one is Xero's new one.
    const again = await add(granted.refreshToken)
    expect(again.stderr).toContain('invalid_grant')

    const sync = await roster('sync', '--org', slug, '--connection', connection.id, '--json')
    expect(sync.stderr).toBe('')
    expect(JSON.parse(sync.stdout)).toMatchObject({ status: 'completed', counts: { created: 1 } })
    expect((await synced(api, 'C-ACME')).contacts.map((c: any) => c.email)).toEqual([
      'marie@acme.example',
      'ap@acme.example',
    ])
  })
})
