import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importFile } from '../imports/helpers.ts'
import { json, newMember, testApp, testQueue, testStore } from '../support.ts'
import { customerByExternalId, syncKit } from './helpers.ts'
import { contact, customer, scriptedConnectors } from './scripted.ts'

const connectors = scriptedConnectors('stripe', 'chargebee')
const store = await testStore()
const app = await testApp(store, {
  connectors,
  workers: true,
})
const kit = syncKit(store, await testQueue(store), app, connectors)

const contactsOwned = 'Contacts of this customer are synced from Stripe: change them in Stripe.'

/** An organisation whose Stripe connection brought Acme and its two contacts. */
async function synced() {
  const setup = await kit.connected({
    customers: [
      customer('cus_acme', {
        name: 'Acme',
        contacts: [
          contact('ct_1', 'ap@acme.example', { isMain: true }),
          contact('ct_2', 'boss@acme.example'),
        ],
      }),
    ],
  })
  await kit.runQueued(setup.org, setup.connection.id)
  const acme = await customerByExternalId(setup.api, 'cus_acme')
  return { ...setup, acme, contactId: acme.contacts[0].id as string }
}

const disconnect = (api: Awaited<ReturnType<typeof synced>>['api']) =>
  api.post('/api/v1/organization/contact-source/disconnect', { confirm: 'DISCONNECT' })

describe('through the API', () => {
  it("refuses changes to a synced customer's own fields, naming the source; assignments stay editable", async () => {
    const { org, api, acme } = await synced()
    const res = await api.patch(`/api/v1/customers/${acme.id as string}`, {
      name: 'X',
      city: 'Paris',
    })
    expect(res.statusCode).toBe(409)
    expect(json(res).error).toMatchObject({
      code: 'source_owned',
      message: 'This customer is synced from Stripe: change name, city in Stripe.',
    })
    expect((await api.delete(`/api/v1/customers/${acme.id as string}`)).statusCode).toBe(409)
    const manager = await newMember(store, org, 'account_manager')
    await api.post('/api/v1/workflows', { name: 'Key accounts' })
    const assigned = await api.patch(`/api/v1/customers/${acme.id as string}`, {
      accountManagers: [manager.email],
      workflow: 'Key accounts',
    })
    expect(assigned.statusCode).toBe(200)
  })

  it('refuses contact changes while Stripe is the contact source, and allows them after the disconnect', async () => {
    const { api, acme, contactId } = await synced()
    const other = acme.contacts[1].id as string
    const attempts = async () => [
      await api.post(`/api/v1/customers/${acme.id as string}/contacts`, {
        email: 'new@acme.example',
      }),
      await api.patch(`/api/v1/contacts/${contactId}`, { firstName: 'Ann' }),
      await api.patch(`/api/v1/contacts/${other}`, { isMain: true }),
      await api.delete(`/api/v1/contacts/${other}`),
    ]
    for (const res of await attempts()) {
      expect(res.statusCode).toBe(409)
      expect(json(res).error).toMatchObject({ code: 'source_owned', message: contactsOwned })
    }
    expect((await disconnect(api)).statusCode).toBe(200)
    expect((await attempts()).map((res) => res.statusCode)).toEqual([201, 200, 200, 204])
    expect(json(await api.get(`/api/v1/contacts/${contactId}`))).toMatchObject({
      firstName: 'Ann',
      source: 'roster',
    })
    // The customer's own fields still belong to Stripe.
    expect(
      (await api.patch(`/api/v1/customers/${acme.id as string}`, { name: 'X' })).statusCode,
    ).toBe(409)
  })

  it('leaves contacts editable when another connection is the contact source', async () => {
    const { org, api, contactId } = await synced()
    const chargebee = await kit.connected({}, 'chargebee', org)
    await api.put('/api/v1/organization/contact-source', { connectionId: chargebee.connection.id })
    expect(
      (await api.patch(`/api/v1/contacts/${contactId}`, { firstName: 'Ann' })).statusCode,
    ).toBe(200)
  })
})

describe('through a file import', () => {
  it('rejects lines changing what Stripe owns with the reason, applies assignments, then contacts once disconnected', async () => {
    const { org, api, acme } = await synced()
    const manager = await newMember(store, org, 'account_manager')
    const file = `Customer ID;Customer name;City;Contact email;First name;Account manager\ncus_acme;Acme;;new@acme.example;New;${manager.email}\ncus_acme;Acme;Paris;;;\n`
    const importApi = { app, key: org.key }
    const first = await importFile(importApi, file)
    const rejected = json(await api.get(`/api/v1/imports/${first.id}/rejected-lines`)).data
    expect(rejected).toMatchObject([
      { line: 2, column: 'Contact email', value: 'new@acme.example', reason: contactsOwned },
      {
        line: 3,
        column: 'City',
        value: 'Paris',
        reason: 'This customer is synced from Stripe: change it in Stripe.',
      },
    ])
    expect(json(await api.get(`/api/v1/customers/${acme.id as string}`)).accountManagers).toEqual(
      [],
    )
    await disconnect(api)
    const second = await importFile(importApi, file)
    expect(second.result.summary.contacts.created).toBe(1)
    const after = await customerByExternalId(api, 'cus_acme')
    expect(after.contacts.map((c: any) => c.email)).toContain('new@acme.example')
    expect(after.accountManagers).toEqual([manager.email])
    expect(after.city).toBeNull()
  })
})

describe('through the command line', () => {
  const bin = new URL('../../bin/roster', import.meta.url).pathname
  const roster = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(bin, args, { env: process.env }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      })
    })

  it('roster import refuses synced contacts until contacts are disconnected', async () => {
    const { org, api } = await synced()
    const dir = await mkdtemp(join(tmpdir(), 'roster-mirror-'))
    const path = join(dir, 'contacts.csv')
    await writeFile(path, 'Customer ID;Contact email;First name\ncus_acme;boss@acme.example;Big\n')
    const before = await roster('import', path, '--org', org.slug, '--json')
    expect(before.code).toBe(1)
    expect(JSON.parse(before.stdout).rejected).toMatchObject([
      { line: 2, column: 'Contact email', value: 'boss@acme.example', reason: contactsOwned },
    ])
    await disconnect(api)
    const after = await roster('import', path, '--org', org.slug, '--json')
    expect(after.code).toBe(0)
    expect(JSON.parse(after.stdout).contacts).toEqual({ created: 0, updated: 1, unchanged: 0 })
  })
})
