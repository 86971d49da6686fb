import { describe, expect, it } from 'vitest'
import type {
  ChargebeeFake,
  ChargebeeFakeOptions,
} from '../fakes/chargebee/fake-server.ts'
import { listNotifications } from '../../src/modules/notifications/notifications.service.ts'
import { importFile } from '../imports/helpers.ts'
import { client, json, newMember, newOrg, testApp, testQueue, testStore } from '../support.ts'
import {
  chargebeeFake,
  connectChargebee,
  listedCustomers,
  listening,
  runSyncNow,
  synced,
  type Connected,
} from './fakes.ts'
import { syncKit } from './helpers.ts'

// The real Chargebee connector (official SDK) through the engine, against the Chargebee fake.
const store = await testStore()
const app = await testApp(store, { workers: true })
const queue = await testQueue(store)
const kit = syncKit(store, queue, app)
const base = await listening(app)

const contactsOwned =
  'Contacts of this customer are synced from Chargebee: change them in Chargebee.'

/**
 * The first incremental run reads again the last minute before the full run began: the
 * customers are written earlier than that, so it brings only what changed after.
 */
const later = (fake: ChargebeeFake) => {
  fake.advance(120)
}

/** An organisation connected to a Chargebee fake through the API, its first full run done. */
async function connected(
  fill: (fake: ChargebeeFake) => void = () => undefined,
  options: ChargebeeFakeOptions = {},
) {
  const fake = await chargebeeFake(options)
  fill(fake)
  later(fake)
  const org = await newOrg(store)
  const api = client(app, org.key)
  const connection = await connectChargebee(api, fake)
  const first = await kit.runQueued(org, connection.id)
  expect(first).toMatchObject({ status: 'completed', mode: 'full' })
  return { fake, org, api, connection, id: connection.id as string, first }
}

const syncNow = (setup: Connected, body: unknown = {}) => runSyncNow(kit, setup, body)

/** The contact rule's cases in one customer: main, additional, duplicate, disabled, no email. */
const acme = (fake: ChargebeeFake) =>
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
const bolt = (fake: ChargebeeFake) =>
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

const people = (customer: any) =>
  customer.contacts.map((c: any) => [c.externalId, c.email, c.isMain])

describe('Chargebee synced into Roster', () => {
  it('follows every page and applies the contact rule: main, additional, duplicates merged, disabled left out, a contact promoted', async () => {
    const setup = await connected((fake) => {
      acme(fake)
      bolt(fake)
      fake.createCustomer({ id: 'cactus', company: 'Cactus Supply' })
      for (let n = 1; n <= 247; n++) {
        fake.createCustomer({
          id: `c${n}`,
          first_name: 'Ann',
          last_name: `No ${n}`,
          email: `c${n}@x.example`,
        })
      }
    })
    const { fake, api, connection, first } = setup
    expect(connection).toMatchObject({
      system: 'chargebee',
      status: 'active',
      settings: { site: fake.site, baseUrl: fake.url },
      isContactSource: true,
    })
    expect(JSON.stringify(connection)).not.toContain(fake.apiKey)
    expect(first).toMatchObject({ pages: 3, created: 250, updated: 0, archived: 0, skipped: 0 })
    const listings = fake.requests.filter((r) => r.path === '/api/v2/customers')
    expect(listings.map((r) => [r.query.get('limit'), r.query.has('offset')])).toEqual([
      ['1', false],
      ['100', false],
      ['100', true],
      ['100', true],
    ])
    expect(fake.requests.some((r) => r.path.endsWith('/contacts'))).toBe(false)

    const customers = await listedCustomers(api)
    expect(customers).toHaveLength(250)
    expect(customers.every((c) => c.source === 'chargebee')).toBe(true)
    const company = await synced(api, 'acme')
    expect(company).toMatchObject({
      name: 'Acme Industries SAS',
      vatNumber: 'FR40123456824',
      address: '12 rue des Lilas',
      postalCode: '75011',
      city: 'Paris',
      country: 'FR',
      currency: 'EUR',
    })
    expect(company.contacts).toMatchObject([
      {
        externalId: 'acme',
        email: 'marie@acme.example',
        firstName: 'Marie',
        lastName: 'Dubois',
        phone: '+33184801234',
        role: 'ACCOUNTING',
        isMain: true,
        source: 'chargebee',
      },
      { externalId: 'ct_ap', email: 'ap@acme.example', firstName: 'Paul', isMain: false },
    ])
    expect(company.contacts).toHaveLength(2)
    const promoted = await synced(api, 'bolt')
    expect(people(promoted)).toEqual([
      ['ct_b1', 'ap@bolt.example', true],
      ['ct_b2', 'cfo@bolt.example', false],
    ])
    // Its duplicate (ct_b3) merged in: what it knows and ct_b1 did not.
    expect(promoted.contacts[0]).toMatchObject({ phone: '+33611223344', role: 'PAYER' })
    expect((await synced(api, 'cactus')).contacts).toEqual([])
    expect((await synced(api, 'c7')).mainContact).toMatchObject({
      email: 'c7@x.example',
      firstName: 'Ann',
      lastName: 'No 7',
    })
  })

  it('reads the contacts of a site that lists customers without them', async () => {
    const { fake, api } = await connected(
      (fake) => {
        acme(fake)
      },
      { contactsInList: false },
    )
    expect(fake.requests.map((r) => r.path)).toContain('/api/v2/customers/acme/contacts')
    expect(people(await synced(api, 'acme'))).toEqual([
      ['acme', 'marie@acme.example', true],
      ['ct_ap', 'ap@acme.example', false],
    ])
  })

  it('brings changes made at Chargebee on the next incremental run (Sync now): fields, contacts added, disabled, and a main contact replaced', async () => {
    const setup = await connected((fake) => {
      acme(fake)
      bolt(fake)
      fake.createCustomer({ id: 'cactus', company: 'Cactus Supply' })
    })
    const { fake, api } = setup
    const before = await synced(api, 'acme')
    fake.updateCustomer('acme', { company: 'Acme SA' })
    fake.updateContact('acme', 'ct_ap', { first_name: 'Pauline', enabled: false })
    fake.addContact('acme', { id: 'ct_new', email: 'new@acme.example', label: 'Purchasing' })
    fake.updateCustomer('bolt', { email: 'owner@bolt.example', first_name: 'Otto' })
    fake.createCustomer({ id: 'dune', company: 'Dune', email: 'ap@dune.example' })
    const run = await syncNow(setup)
    expect(run).toMatchObject({ status: 'completed', mode: 'incremental', created: 1, updated: 2 })
    const after = await synced(api, 'acme')
    expect(after).toMatchObject({ id: before.id, name: 'Acme SA' })
    expect(after.contacts.map((c: any) => [c.externalId, c.isMain, c.role])).toEqual([
      ['acme', true, 'ACCOUNTING'],
      ['ct_new', false, 'PURCHASER'],
    ])
    expect(after.contacts[0].id).toBe(before.contacts[0].id)
    expect(people(await synced(api, 'bolt'))).toEqual([
      ['bolt', 'owner@bolt.example', true],
      ['ct_b1', 'ap@bolt.example', false],
      ['ct_b2', 'cfo@bolt.example', false],
    ])
    expect((await synced(api, 'dune')).mainContact.email).toBe('ap@dune.example')
    expect(await syncNow(setup)).toMatchObject({ created: 0, updated: 0, archived: 0 })
  })
})

describe('Chargebee webhooks', () => {
  it('a call with the endpoint credentials queues an incremental run that brings the change; others are refused and run nothing', async () => {
    const setup = await connected((fake) => {
      acme(fake)
    })
    const { fake, api, org } = setup
    const url = `${base}/webhooks/chargebee/${setup.id}`
    fake.updateContact('acme', 'ct_ap', { phone: '04 72 00 00 00' })
    const runsBefore = await kit.runs(org, setup.id)
    const refused = [
      await fake.sendWebhook(url, { password: 'not-the-password' }),
      await fake.sendWebhook(url, { username: 'someone-else' }),
      await fake.sendWebhook(url, { credentials: null }),
    ]
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401])
    expect(await kit.runs(org, setup.id)).toEqual(runsBefore)

    const sent = await fake.sendWebhook(url)
    expect(sent.status).toBe(202)
    const answer = JSON.parse(sent.body)
    expect(answer).toMatchObject({ status: 'queued', runId: expect.any(String) })
    const [job] = await queue.boss.findJobs<{ connectionId: string }>('sources.sync', {
      key: setup.id,
      queued: true,
    })
    expect(job?.data).toEqual({ organizationId: org.id, connectionId: setup.id })
    const run = await kit.runQueued(org, job?.data.connectionId ?? '')
    expect(run).toMatchObject({
      id: answer.runId,
      trigger: 'webhook',
      status: 'completed',
      updated: 1,
    })
    const ap = (await synced(api, 'acme')).contacts.find((c: any) => c.externalId === 'ct_ap')
    expect(ap.phone).toBe('+33472000000')
  })
})

describe('a customer deleted at Chargebee', () => {
  it('is archived with its contacts: hidden from lists, kept in history; so is one whose personal data was cleared', async () => {
    const setup = await connected((fake) => {
      acme(fake)
      bolt(fake)
      fake.createCustomer({ id: 'cactus', company: 'Cactus Supply', email: 'ap@cactus.example' })
      fake.createCustomer({ id: 'dune', company: 'Dune' })
    })
    const { fake, api } = setup
    const gone = await synced(api, 'acme')
    fake.deleteCustomer('acme')
    fake.clearPersonalData('bolt')
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', archived: 2, updated: 0 })
    expect((await listedCustomers(api)).map((c) => c.externalId)).toEqual(['cactus', 'dune'])
    expect((await api.get(`/api/v1/customers/${gone.id as string}`)).statusCode).toBe(404)
    for (const contact of gone.contacts) {
      expect((await api.get(`/api/v1/contacts/${contact.id as string}`)).statusCode).toBe(404)
    }
    const history = json(await api.get(`/api/v1/customers/${gone.id as string}/history`)).data
    expect(
      history
        .filter((e: any) => e.action === 'archive')
        .map((e: any) => e.entity)
        .sort(),
    ).toEqual(['contact', 'contact', 'customer'])

    // A full run archives what Chargebee no longer lists.
    fake.customers.delete('cactus')
    expect(await syncNow(setup, { full: true })).toMatchObject({ mode: 'full', archived: 1 })
    expect((await listedCustomers(api)).map((c) => c.externalId)).toEqual(['dune'])
  })
})

describe('what Chargebee owns', () => {
  it('refuses changes to synced fields and contacts with the source named, through the API and a file import; assignments stay editable', async () => {
    const setup = await connected((fake) => {
      acme(fake)
    })
    const { api, org } = setup
    const customer = await synced(api, 'acme')
    const res = await api.patch(`/api/v1/customers/${customer.id as string}`, {
      vatNumber: 'FR00000000000',
    })
    expect(res.statusCode).toBe(409)
    expect(json(res).error).toMatchObject({
      code: 'source_owned',
      message: 'This customer is synced from Chargebee: change vatNumber in Chargebee.',
    })
    for (const refused of [
      await api.patch(`/api/v1/contacts/${customer.contacts[1].id as string}`, { isMain: true }),
      await api.delete(`/api/v1/contacts/${customer.contacts[1].id as string}`),
    ]) {
      expect(refused.statusCode).toBe(409)
      expect(json(refused).error).toMatchObject({ code: 'source_owned', message: contactsOwned })
    }
    const manager = await newMember(store, org, 'account_manager')
    await api.post('/api/v1/workflows', { name: 'Key accounts' })
    const assigned = await api.patch(`/api/v1/customers/${customer.id as string}`, {
      accountManagers: [manager.email],
      workflow: 'Key accounts',
    })
    expect(assigned.statusCode).toBe(200)

    const file = `Customer ID;Customer name;VAT number;Contact email;Phone\nacme;Acme Industries SAS;FR111;;\nacme;Acme Industries SAS;;ap@acme.example;0102030405\n`
    const imported = await importFile({ app, key: org.key }, file)
    expect(json(await api.get(`/api/v1/imports/${imported.id}/rejected-lines`)).data).toEqual([
      {
        line: 2,
        column: 'VAT number',
        value: 'FR111',
        reason: 'This customer is synced from Chargebee: change it in Chargebee.',
      },
      { line: 3, column: 'Contact email', value: 'ap@acme.example', reason: contactsOwned },
    ])
    expect(await synced(api, 'acme')).toMatchObject({
      vatNumber: 'FR40123456824',
      workflow: 'Key accounts',
      accountManagers: [manager.email],
    })
  })

  it('after the disconnect: contacts are editable, later syncs update the customer and leave contacts alone, switching back is refused', async () => {
    const setup = await connected((fake) => {
      acme(fake)
    })
    const { fake, api } = setup
    const customer = await synced(api, 'acme')
    const done = await api.post('/api/v1/organization/contact-source/disconnect', {
      confirm: 'DISCONNECT',
    })
    expect(done.statusCode).toBe(200)
    const ap = customer.contacts[1].id as string
    expect((await api.patch(`/api/v1/contacts/${ap}`, { firstName: 'Paula' })).statusCode).toBe(200)

    fake.updateCustomer('acme', { company: 'Acme SA', email: 'new-main@acme.example' })
    fake.updateContact('acme', 'ct_ap', { first_name: 'Pierre', email: 'pierre@acme.example' })
    fake.addContact('acme', { id: 'ct_more', email: 'more@acme.example' })
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', updated: 1 })
    const after = await synced(api, 'acme')
    expect(after.name).toBe('Acme SA')
    expect(after.contacts.map((c: any) => [c.email, c.firstName, c.isMain, c.source])).toEqual([
      ['marie@acme.example', 'Marie', true, 'roster'],
      ['ap@acme.example', 'Paula', false, 'roster'],
    ])
    const back = await api.put('/api/v1/organization/contact-source', { connectionId: setup.id })
    expect(back.statusCode).toBe(409)
  })
})

describe('Chargebee failures', () => {
  it('waits as long as Chargebee asks after a 429, then completes', async () => {
    const setup = await connected((fake) => {
      acme(fake)
    })
    const { fake } = setup
    fake.createCustomer({ id: 'bolt', company: 'Bolt' })
    fake.failNext(2, { status: 429, retryAfter: 3 })
    kit.waits.length = 0
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', created: 1 })
    expect(kit.waits).toEqual([3000, 3000])
  })

  it('a revoked key stops the connection, tells the admins and fails the run readably; a new key syncs again', async () => {
    const setup = await connected((fake) => {
      acme(fake)
    })
    const { fake, api, org } = setup
    const admin = await newMember(store, org, 'admin')
    fake.revokeKey()
    fake.createCustomer({ id: 'bolt', company: 'Bolt' })
    const failed = await syncNow(setup)
    expect(failed).toMatchObject({ status: 'failed' })
    expect(failed?.error).toBe(
      "Chargebee refused Roster's credentials (Sorry, authentication failed. Invalid api key). Reconnect the connection with valid credentials.",
    )
    expect(json(await api.get(`/api/v1/connections/${setup.id}`))).toMatchObject({
      status: 'needs_reconnection',
      statusMessage: failed?.error,
    })
    const inbox = await listNotifications(store.db, org.id, admin.id, { limit: 10 })
    expect(inbox.data).toMatchObject([
      {
        kind: 'connection_needs_reconnection',
        title: 'Chargebee needs to be reconnected',
        subject: { connectionId: setup.id },
      },
    ])
    const wrong = await api.patch(`/api/v1/connections/${setup.id}`, {
      secrets: { apiKey: 'test_still_wrong' },
    })
    expect(wrong.statusCode).toBe(400)
    expect(json(wrong).error.message).toBe(
      'Chargebee refused these credentials (Sorry, authentication failed. Invalid api key); check the API key and try again.',
    )
    const reconnected = await api.patch(`/api/v1/connections/${setup.id}`, {
      secrets: { apiKey: fake.apiKey },
    })
    expect(json(reconnected)).toMatchObject({ status: 'active', statusMessage: null })
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', created: 1 })
  })
})

describe('the Chargebee cursor, stored with each page', () => {
  it('lets an interrupted full run and an interrupted incremental run resume, nothing lost or counted twice', async () => {
    const fake = await chargebeeFake()
    for (let n = 0; n < 250; n++) fake.createCustomer({ id: `c${n}`, email: `c${n}@x.example` })
    later(fake)
    const org = await newOrg(store)
    const api = client(app, org.key)
    const { id } = await connectChargebee(api, fake)
    const crash = (at: number) => ({
      afterPage: (pages: number) => {
        if (pages === at) throw new Error('the worker died')
      },
    })

    await expect(kit.runQueued(org, id, crash(2))).rejects.toThrow('the worker died')
    const [cut] = await kit.runs(org, id)
    expect(cut).toMatchObject({ status: 'running', pages: 2, created: 200 })
    const stored = (await kit.connectionRow(org, id)).cursor as any
    expect(stored.full.offset).toEqual(expect.any(String))
    fake.requests.length = 0
    const resumed = await kit.runQueued(org, id)
    expect(resumed).toMatchObject({ id: cut?.id, status: 'completed', pages: 3, created: 250 })
    const listings = fake.requests.filter((r) => r.path === '/api/v2/customers')
    expect(listings.map((r) => r.query.get('offset'))).toEqual([stored.full.offset])
    expect(await listedCustomers(api)).toHaveLength(250)

    // 150 changes in the same second: the cursor keeps the versions applied in it.
    for (let n = 0; n < 150; n++) fake.updateCustomer(`c${n}`, { company: `Renamed ${n}` })
    await api.post(`/api/v1/connections/${id}/sync`, {})
    await expect(kit.runQueued(org, id, crash(1))).rejects.toThrow('the worker died')
    const [, cutIncremental] = await kit.runs(org, id)
    expect(cutIncremental).toMatchObject({ mode: 'incremental', pages: 1, updated: 100 })
    const done = await kit.runQueued(org, id)
    expect(done).toMatchObject({ status: 'completed', updated: 150, created: 0 })
    const names = (await listedCustomers(api)).map((c) => c.name as string)
    expect(names.filter((n) => n.startsWith('Renamed'))).toHaveLength(150)
    expect(await syncNow({ api, org, id })).toMatchObject({ updated: 0, created: 0 })
  })
})
