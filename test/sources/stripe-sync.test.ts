import { describe, expect, it } from 'vitest'
import type { StripeFake } from '../fakes/stripe/fake-server.ts'
import { listNotifications } from '../../src/modules/notifications/notifications.service.ts'
import { importFile } from '../imports/helpers.ts'
import { client, json, newMember, newOrg, testApp, testQueue, testStore } from '../support.ts'
import {
  connectStripe,
  listedCustomers,
  listening,
  runSyncNow,
  stripeFake,
  synced,
  type Connected,
} from './fakes.ts'
import { syncKit } from './helpers.ts'

// The real Stripe connector (official SDK) through the engine, against the Stripe fake.
const store = await testStore()
const app = await testApp(store, { workers: true })
const queue = await testQueue(store)
const kit = syncKit(store, queue, app)
const base = await listening(app)

const contactsOwned = 'Contacts of this customer are synced from Stripe: change them in Stripe.'

/** Stripe replays the last minutes of its event feed on the first incremental run; move past. */
const later = (fake: StripeFake) => {
  fake.advance(600)
}

/** An organisation connected to a Stripe fake through the API, its first full run done. */
async function connected(fill: (fake: StripeFake) => void = () => undefined) {
  const fake = await stripeFake()
  fill(fake)
  later(fake)
  const org = await newOrg(store)
  const api = client(app, org.key)
  const connection = await connectStripe(api, fake)
  const first = await kit.runQueued(org, connection.id)
  expect(first).toMatchObject({ status: 'completed', mode: 'full' })
  return { fake, org, api, connection, id: connection.id as string, first }
}

const acme = (fake: StripeFake) =>
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

const syncNow = (setup: Connected, body: unknown = {}) => runSyncNow(kit, setup, body)

describe('Stripe synced into Roster', () => {
  it('follows every page and brings each customer with one main contact, the customer-level person', async () => {
    let ids: string[] = []
    const setup = await connected((fake) => {
      ids = Array.from({ length: 250 }, (_, i) => {
        const n = i + 1
        return String(
          fake.createCustomer({
            name: `Customer ${String(n).padStart(3, '0')}`,
            email: n % 25 === 0 ? null : `ap${n}@customer${n}.example`,
            currency: 'eur',
          }).id,
        )
      })
      const taxed = acme(fake)
      fake.addTaxId(String(taxed.id), { type: 'eu_vat', value: 'FR40123456824', country: 'FR' })
      fake.createCustomer({ name: 'Typo Ltd', email: 'accounts@@typo.example' })
    })
    const { fake, api, connection, first } = setup
    expect(connection).toMatchObject({ system: 'stripe', status: 'active', isContactSource: true })
    expect(JSON.stringify(connection)).not.toContain(fake.apiKey)
    expect(first).toMatchObject({ pages: 3, created: 252, updated: 0, archived: 0, skipped: 1 })
    expect(first?.errors).toEqual([
      {
        externalId: expect.stringMatching(/^cus_/),
        reason: expect.stringContaining(
          'The email "accounts@@typo.example" of Stripe customer cus_',
        ),
      },
    ])
    const listings = fake.requests.filter((r) => r.path === '/v1/customers')
    expect(listings.map((r) => r.query.get('limit'))).toEqual(['1', '100', '100', '100'])
    expect(listings.slice(1).map((r) => r.query.has('starting_after'))).toEqual([false, true, true])

    const customers = await listedCustomers(api)
    expect(customers).toHaveLength(252)
    expect(customers.every((c) => c.source === 'stripe')).toBe(true)
    const withoutEmail = customers.filter((c) => c.mainContact === null).map((c) => c.name)
    expect(withoutEmail).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `Customer ${String((i + 1) * 25).padStart(3, '0')}`),
      'Typo Ltd',
    ])
    const seventh = await synced(api, ids[6] ?? '')
    expect(seventh.contacts).toMatchObject([
      { email: 'ap7@customer7.example', isMain: true, externalId: ids[6], source: 'stripe' },
    ])
    expect((await synced(api, ids[24] ?? '')).contacts).toEqual([])
    const company = customers.find((c) => c.name === 'Acme Industries SAS')
    expect(company).toMatchObject({
      vatNumber: 'FR40123456824',
      address: '12 rue des Lilas',
      postalCode: '75011',
      city: 'Paris',
      country: 'FR',
      currency: 'EUR',
    })
    expect((await synced(api, company.externalId as string)).contacts).toMatchObject([
      {
        email: 'billing@acme.example',
        firstName: null,
        lastName: 'Acme Industries SAS',
        phone: '+33184801234',
        isMain: true,
      },
    ])
  })

  it('brings a change made at Stripe on the next incremental run (Sync now)', async () => {
    let id = ''
    let bolt = ''
    const setup = await connected((fake) => {
      id = String(acme(fake).id)
      bolt = String(fake.createCustomer({ name: 'Bolt GmbH', email: 'ap@bolt.example' }).id)
    })
    const { fake, api } = setup
    const before = await synced(api, id)
    expect(before.contacts).toHaveLength(1)
    fake.updateCustomer(id, { name: 'Acme SA', email: 'ap@acme.example' })
    fake.updateCustomer(bolt, { email: null })
    const created = String(fake.createCustomer({ name: 'Cactus', email: 'ap@cactus.example' }).id)
    const run = await syncNow(setup)
    expect(run).toMatchObject({ status: 'completed', mode: 'incremental', created: 1, updated: 2 })
    // No email at Stripe any more: no contact in Roster either.
    expect(await synced(api, bolt)).toMatchObject({ mainContact: null, contacts: [] })
    const after = await synced(api, id)
    expect(after).toMatchObject({ id: before.id, name: 'Acme SA' })
    expect(after.contacts).toMatchObject([
      { id: before.contacts[0].id, email: 'ap@acme.example', lastName: 'Acme SA', isMain: true },
    ])
    expect((await synced(api, created)).mainContact.email).toBe('ap@cactus.example')
    const again = await syncNow(setup)
    expect(again).toMatchObject({ status: 'completed', created: 0, updated: 0, archived: 0 })
    const runs = json(await api.get(`/api/v1/connections/${setup.id}/runs`)).data
    expect(runs.map((r: any) => [r.mode, r.trigger, r.status])).toEqual([
      ['incremental', 'manual', 'completed'],
      ['incremental', 'manual', 'completed'],
      ['full', 'manual', 'completed'],
    ])
  })
})

describe('Stripe webhooks', () => {
  it('a signed event queues an incremental run that brings the change; unsigned or forged ones are refused and run nothing', async () => {
    let id = ''
    const setup = await connected((fake) => {
      id = String(acme(fake).id)
    })
    const { fake, api, org } = setup
    const url = `${base}/webhooks/stripe/${setup.id}`
    fake.updateCustomer(id, { phone: '+33 4 72 00 00 00' })

    const runsBefore = await kit.runs(org, setup.id)
    const refused = [
      await fake.sendWebhook(url, { secret: 'whsec_not_the_one' }),
      await fake.sendWebhook(url, { tamper: true }),
      await fake.sendWebhook(url, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
      await fetch(url, { method: 'POST', body: JSON.stringify(fake.event()) }),
    ]
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401])
    expect(await kit.runs(org, setup.id)).toEqual(runsBefore)

    const sent = await fake.sendWebhook(url)
    expect(sent.status).toBe(202)
    const answer = JSON.parse(sent.body)
    expect(answer).toEqual({ status: 'queued', reason: null, runId: expect.any(String) })
    const [job] = await queue.boss.findJobs<{ connectionId: string }>('sources.sync', {
      key: setup.id,
      queued: true,
    })
    expect(job?.data).toEqual({ organizationId: org.id, connectionId: setup.id })
    const run = await kit.runQueued(org, job?.data.connectionId ?? '')
    expect(run).toMatchObject({
      id: answer.runId,
      trigger: 'webhook',
      mode: 'incremental',
      status: 'completed',
      updated: 1,
    })
    expect((await synced(api, id)).contacts[0].phone).toBe('+33472000000')
  })
})

describe('a customer deleted at Stripe', () => {
  it('is archived with its contact: hidden from lists, kept in history', async () => {
    const ids: string[] = []
    const setup = await connected((fake) => {
      ids.push(String(acme(fake).id))
      ids.push(String(fake.createCustomer({ name: 'Bolt', email: 'ap@bolt.example' }).id))
      ids.push(String(fake.createCustomer({ name: 'Cactus' }).id))
    })
    const { fake, api } = setup
    const [acmeId = '', boltId = ''] = ids
    const gone = await synced(api, acmeId)
    fake.deleteCustomer(acmeId)
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', archived: 1, updated: 0 })
    expect((await listedCustomers(api)).map((c) => c.name)).toEqual(['Bolt', 'Cactus'])
    expect((await api.get(`/api/v1/customers/${gone.id as string}`)).statusCode).toBe(404)
    expect((await api.get(`/api/v1/contacts/${gone.contacts[0].id as string}`)).statusCode).toBe(
      404,
    )
    const history = json(await api.get(`/api/v1/customers/${gone.id as string}/history`)).data
    expect(history.filter((e: any) => e.action === 'archive').map((e: any) => e.entity)).toEqual(
      expect.arrayContaining(['customer', 'contact']),
    )

    // A full run archives what Stripe no longer lists, even without its event.
    fake.customers.delete(boltId)
    expect(await syncNow(setup, { full: true })).toMatchObject({
      mode: 'full',
      status: 'completed',
      archived: 1,
      created: 0,
      updated: 0,
    })
    expect((await listedCustomers(api)).map((c) => c.name)).toEqual(['Cactus'])
  })
})

describe('what Stripe owns', () => {
  it('refuses changes to synced fields and contacts with the source named, through the API and a file import; assignments stay editable', async () => {
    let id = ''
    const setup = await connected((fake) => {
      id = String(acme(fake).id)
    })
    const { api, org } = setup
    const customer = await synced(api, id)
    const contactId = customer.contacts[0].id as string
    const rename = await api.patch(`/api/v1/customers/${customer.id as string}`, { name: 'X' })
    expect(rename.statusCode).toBe(409)
    expect(json(rename).error).toMatchObject({
      code: 'source_owned',
      message: 'This customer is synced from Stripe: change name in Stripe.',
    })
    for (const res of [
      await api.patch(`/api/v1/contacts/${contactId}`, { firstName: 'Ann' }),
      await api.post(`/api/v1/customers/${customer.id as string}/contacts`, {
        email: 'new@acme.example',
      }),
    ]) {
      expect(res.statusCode).toBe(409)
      expect(json(res).error).toMatchObject({ code: 'source_owned', message: contactsOwned })
    }
    const manager = await newMember(store, org, 'account_manager')
    expect((await api.post('/api/v1/workflows', { name: 'Key accounts' })).statusCode).toBe(201)
    const assigned = await api.patch(`/api/v1/customers/${customer.id as string}`, {
      accountManagers: [manager.email],
      workflow: 'Key accounts',
    })
    expect(assigned.statusCode).toBe(200)
    expect(json(assigned)).toMatchObject({
      accountManagers: [manager.email],
      workflow: 'Key accounts',
    })

    const name = 'Acme Industries SAS'
    const file = `Customer ID;Customer name;City;Contact email;First name\n${id};${name};Lyon;;\n${id};${name};;billing@acme.example;Ann\n`
    const imported = await importFile({ app, key: org.key }, file)
    const rejected = json(await api.get(`/api/v1/imports/${imported.id}/rejected-lines`)).data
    expect(rejected).toEqual([
      {
        line: 2,
        column: 'City',
        value: 'Lyon',
        reason: 'This customer is synced from Stripe: change it in Stripe.',
      },
      { line: 3, column: 'Contact email', value: 'billing@acme.example', reason: contactsOwned },
    ])
    expect(await synced(api, id)).toMatchObject({
      city: 'Paris',
      contacts: [{ firstName: null }],
      accountManagers: [manager.email],
    })
  })

  it('after the disconnect: contacts are editable, later syncs update the customer and leave contacts alone, switching back is refused', async () => {
    let id = ''
    const setup = await connected((fake) => {
      id = String(acme(fake).id)
    })
    const { fake, api } = setup
    const customer = await synced(api, id)
    const contactId = customer.contacts[0].id as string
    const done = await api.post('/api/v1/organization/contact-source/disconnect', {
      confirm: 'DISCONNECT',
    })
    expect(json(done)).toMatchObject({ source: 'roster', connection: null })
    expect(
      (await api.patch(`/api/v1/contacts/${contactId}`, { firstName: 'Marie' })).statusCode,
    ).toBe(200)
    const added = await api.post(`/api/v1/customers/${customer.id as string}/contacts`, {
      email: 'ceo@acme.example',
    })
    expect(added.statusCode).toBe(201)

    fake.updateCustomer(id, { name: 'Acme SA', email: 'changed@acme.example', phone: null })
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', updated: 1 })
    const after = await synced(api, id)
    expect(after.name).toBe('Acme SA')
    expect(after.contacts.map((c: any) => [c.email, c.firstName, c.isMain, c.source])).toEqual([
      ['billing@acme.example', 'Marie', true, 'roster'],
      ['ceo@acme.example', null, false, 'roster'],
    ])
    const back = await api.put('/api/v1/organization/contact-source', { connectionId: setup.id })
    expect(back.statusCode).toBe(409)
    expect(json(back).error.message).toMatch(/^Contacts were disconnected/)
  })
})

describe('Stripe failures', () => {
  it('waits as long as Stripe asks after a 429 and backs off on errors, then completes; fails readably when they last', async () => {
    const setup = await connected((fake) => {
      acme(fake)
    })
    const { fake } = setup
    fake.createCustomer({ name: 'Bolt', email: 'ap@bolt.example' })
    fake.failNext(1, { status: 429, retryAfter: 2 })
    fake.failNext(2, { status: 503 })
    kit.waits.length = 0
    const run = await syncNow(setup)
    expect(run).toMatchObject({ status: 'completed', created: 1 })
    // The back-off grows with each failure of the same page, whatever the kind.
    expect(kit.waits).toEqual([2000, 2000, 4000])

    fake.failNext(5, { status: 500 })
    const failed = await syncNow(setup)
    expect(failed).toMatchObject({ status: 'failed' })
    expect(failed?.error).toBe(
      'Stripe could not be reached after 5 tries (error 500: An unknown error occurred). The next run continues from the last page applied.',
    )
    expect(await syncNow(setup)).toMatchObject({ status: 'completed' })
  })

  it('a revoked key stops the connection, tells the admins and fails the run readably; a new key syncs again', async () => {
    const setup = await connected((fake) => {
      acme(fake)
    })
    const { fake, api, org } = setup
    const admin = await newMember(store, org, 'admin')
    fake.revokeKey()
    fake.createCustomer({ name: 'Bolt', email: 'ap@bolt.example' })
    const failed = await syncNow(setup)
    expect(failed).toMatchObject({ status: 'failed' })
    expect(failed?.error).toBe(
      "Stripe refused Roster's credentials (Invalid API Key provided: sk_test_****_key). Reconnect the connection with valid credentials.",
    )
    const shown = json(await api.get(`/api/v1/connections/${setup.id}`))
    expect(shown).toMatchObject({ status: 'needs_reconnection', statusMessage: failed?.error })
    const inbox = await listNotifications(store.db, org.id, admin.id, { limit: 10 })
    expect(inbox.data).toMatchObject([
      { kind: 'connection_needs_reconnection', subject: { connectionId: setup.id } },
    ])
    expect((await api.post(`/api/v1/connections/${setup.id}/sync`, {})).statusCode).toBe(409)

    const wrong = await api.patch(`/api/v1/connections/${setup.id}`, {
      secrets: { apiKey: 'sk_test_still_wrong' },
    })
    expect(wrong.statusCode).toBe(400)
    expect(json(wrong).error.message).toBe(
      'Stripe refused these credentials (Invalid API Key provided: sk_test_****rong); check the API key and try again.',
    )
    const reconnected = await api.patch(`/api/v1/connections/${setup.id}`, {
      secrets: { apiKey: fake.apiKey },
    })
    expect(json(reconnected)).toMatchObject({ status: 'active', statusMessage: null })
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', created: 1 })
  })
})

describe('the Stripe cursor, stored with each page', () => {
  it('lets an interrupted full run and an interrupted incremental run resume, nothing lost or counted twice', async () => {
    const fake = await stripeFake()
    const ids = Array.from({ length: 250 }, (_, i) =>
      String(fake.createCustomer({ name: `C${i}`, email: `c${i}@x.example` }).id),
    )
    later(fake)
    const org = await newOrg(store)
    const api = client(app, org.key)
    const { id } = await connectStripe(api, fake)
    const crash = (at: number) => ({
      afterPage: (pages: number) => {
        if (pages === at) throw new Error('the worker died')
      },
    })

    await expect(kit.runQueued(org, id, crash(2))).rejects.toThrow('the worker died')
    const [cut] = await kit.runs(org, id)
    expect(cut).toMatchObject({ status: 'running', pages: 2, created: 200 })
    const stored = (await kit.connectionRow(org, id)).cursor as any
    expect(stored.full.startingAfter).toBe(ids[50])
    fake.requests.length = 0
    const resumed = await kit.runQueued(org, id)
    expect(resumed).toMatchObject({ id: cut?.id, status: 'completed', pages: 3, created: 250 })
    expect(fake.requests.map((r) => r.query.get('starting_after'))).toEqual([ids[50]])
    expect(await listedCustomers(api)).toHaveLength(250)

    fake.advance(600)
    for (const [n, customer] of ids.slice(0, 150).entries()) {
      fake.updateCustomer(customer, { name: `Renamed ${n}` })
    }
    await api.post(`/api/v1/connections/${id}/sync`, {})
    await expect(kit.runQueued(org, id, crash(1))).rejects.toThrow('the worker died')
    const [, cutIncremental] = await kit.runs(org, id)
    expect(cutIncremental).toMatchObject({ mode: 'incremental', pages: 1, updated: 100 })
    const done = await kit.runQueued(org, id)
    expect(done).toMatchObject({ status: 'completed', pages: 2, updated: 150, created: 0 })
    const names = (await listedCustomers(api)).map((c) => c.name as string)
    expect(names.filter((n) => n.startsWith('Renamed'))).toHaveLength(150)
    expect(await syncNow({ api, org, id })).toMatchObject({ updated: 0, created: 0 })
  })
})
