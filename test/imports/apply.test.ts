import { createHash, randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createImport, setMapping } from '../../src/modules/imports/imports.service.ts'
import { importFiles } from '../../src/platform/db/schema/index.ts'
import { AppError } from '../../src/platform/errors.ts'
import { client, json, newMember, newOrg, testApp, testStore } from '../support.ts'
import { apiCall, importFile, upload } from './helpers.ts'

const store = await testStore()
const app = await testApp(store, { workers: true })

async function setup() {
  const org = await newOrg(store)
  return { org, api: { app, key: org.key }, http: client(app, org.key) }
}

async function customersOf(http: ReturnType<typeof client>) {
  const list = json(await http.get('/api/v1/customers?limit=200')).data as any[]
  return Promise.all(
    list.map(async (c) => ({
      ...c,
      contacts: json(await http.get(`/api/v1/customers/${c.id}/contacts`)).data,
    })),
  )
}

describe('file import', () => {
  it('creates customers and contacts, then changes nothing on a second import', async () => {
    const { api, http } = await setup()
    const file = [
      'Customer name;Customer ID;City;Contact email;First name;Role;Main contact',
      'Société Générale;C1;Paris;anne@sg.fr;Anne;Accounting;1',
      'Société Générale;C1;;bob@sg.fr;Bob;sales;',
      'Zoë Müller GmbH;C2;Berlin;zoe@zm.de;Zoë;;1',
    ].join('\r\n')
    const first = await importFile(api, file)
    expect(first.dryRun.dryRun.lines).toEqual({
      total: 3,
      created: 3,
      updated: 0,
      unchanged: 0,
      rejected: 0,
    })
    expect(first.result.status).toBe('completed')
    expect(first.result.summary.customers).toEqual({ created: 2, updated: 0, unchanged: 0 })
    expect(first.result.summary.contacts).toEqual({ created: 3, updated: 0, unchanged: 0 })
    const customers = await customersOf(http)
    const sg = customers.find((c) => c.externalId === 'C1')
    expect(sg.name).toBe('Société Générale')
    expect(sg.city).toBe('Paris')
    expect(sg.contacts.map((c: any) => [c.email, c.role, c.isMain])).toEqual([
      ['anne@sg.fr', 'ACCOUNTING', true],
      ['bob@sg.fr', 'SALES', false],
    ])

    const second = await importFile(api, file)
    expect(second.result.summary.lines).toMatchObject({ unchanged: 3, created: 0, updated: 0 })
    expect(second.result.summary.customers).toEqual({ created: 0, updated: 0, unchanged: 2 })
    expect((await customersOf(http)).length).toBe(2)
  })

  it('rejects a line whose account manager is not a member, and applies the others', async () => {
    const { org, api, http } = await setup()
    const manager = await newMember(store, org, 'account_manager')
    const plain = await newMember(store, org, 'member')
    const file = [
      'External ID,Customer name,Account manager',
      `A1,Alpha,${manager.email}`,
      `A2,Beta,${plain.email}`,
      `A3,Gamma,nobody@example.com`,
    ].join('\n')
    const { id, result } = await importFile(api, file)
    expect(result.summary.lines.rejected).toBe(2)
    const rejected = json(await apiCall(api, 'GET', `/imports/${id}/rejected-lines`)).data
    expect(rejected).toMatchObject([
      {
        line: 3,
        column: 'Account manager',
        value: plain.email,
        reason: 'Account manager not found; check the email.',
      },
      {
        line: 4,
        column: 'Account manager',
        value: 'nobody@example.com',
        reason: 'Account manager not found; check the email.',
      },
    ])
    const customers = await customersOf(http)
    expect(customers.map((c) => c.name)).toEqual(['Alpha'])
    expect(customers[0].accountManagers).toEqual([manager.email])
  })

  it('audits account managers and workflow in the catalogue’s shape: emails and names', async () => {
    const { org, api, http } = await setup()
    const manager = await newMember(store, org, 'account_manager')
    await http.post('/api/v1/workflows', { name: 'Standard' })
    await importFile(api, ['External ID,Customer name,City', 'A1,Alpha,Paris'].join('\r\n'))
    const done = await importFile(
      api,
      ['External ID,Account manager,Workflow', `A1,${manager.email},Standard`].join('\r\n'),
    )
    expect(done.result.summary.customers).toEqual({ created: 0, updated: 1, unchanged: 0 })
    const [alpha] = await customersOf(http)
    const history = json(await http.get(`/api/v1/customers/${alpha.id as string}/history`)).data
    expect(history.map((e: any) => e.action)).toEqual(['update', 'create'])
    const keys = Object.keys(alpha)
      .filter(
        (k) =>
          ![
            'contacts',
            'contactsLockedBy',
            'mainContact',
            'bouncedContacts',
            'archivedAt',
            'createdAt',
            'updatedAt',
          ].includes(k),
      )
      .sort()
    expect(Object.keys(history[1].after).sort()).toEqual(keys)
    // An update holds the keys it changed (and the id): before, every one's old value.
    expect(history[0].before).toEqual({ id: alpha.id, accountManagers: [], workflow: null })
    expect(Object.keys(history[0].after).sort()).toEqual(['accountManagers', 'id', 'workflow'])
    expect(history[1].after).toMatchObject({
      name: 'Alpha',
      city: 'Paris',
      group: null,
      accountManagers: [],
      workflow: null,
      source: 'roster',
    })
    expect(history[0].before).toMatchObject({ accountManagers: [], workflow: null })
    expect(history[0].after).toMatchObject({
      accountManagers: [manager.email],
      workflow: 'Standard',
    })

    // The same managers again change nothing, and record nothing.
    await importFile(
      api,
      ['External ID,Account manager,Workflow', `A1,${manager.email},Standard`].join('\r\n'),
    )
    const again = json(await http.get(`/api/v1/customers/${alpha.id as string}/history`)).data
    expect(again).toHaveLength(2)
  })

  it('the latest line marking a main contact wins, over the file and over Roster', async () => {
    const { api, http } = await setup()
    await importFile(
      api,
      'Customer name;Contact email;Main contact\nAcme;a@acme.com;1\nAcme;b@acme.com;\n',
    )
    await importFile(
      api,
      'Customer name;Contact email;Main contact\nAcme;b@acme.com;1\nAcme;c@acme.com;1\n',
    )
    const [acme] = await customersOf(http)
    expect(acme.contacts.filter((c: any) => c.isMain).map((c: any) => c.email)).toEqual([
      'c@acme.com',
    ])
    expect(acme.contacts).toHaveLength(3)
  })

  it('a file marking two main contacts for one customer changes nothing when imported again', async () => {
    const { api, http } = await setup()
    const file = 'Customer name;Contact email;Main contact\nAcme;a@acme.com;1\nAcme;b@acme.com;1\n'
    const first = await importFile(api, file)
    expect(first.result.summary.contacts).toEqual({ created: 2, updated: 0, unchanged: 0 })
    const again = await importFile(api, file)
    expect(again.dryRun.dryRun.contacts).toEqual({ created: 0, updated: 0, unchanged: 2 })
    expect(again.result.summary.contacts).toEqual({ created: 0, updated: 0, unchanged: 2 })
    expect(again.result.summary.lines).toMatchObject({ unchanged: 2, updated: 0 })
    const [acme] = await customersOf(http)
    expect(acme.contacts.filter((c: any) => c.isMain).map((c: any) => c.email)).toEqual([
      'b@acme.com',
    ])
  })

  it('creates a main contact with its flag: one "create" in its history, no "update"', async () => {
    const { api, http } = await setup()
    await importFile(api, 'Customer name;Contact email;Main contact\nAcme;a@acme.com;1\n')
    const [acme] = await customersOf(http)
    const history = json(await http.get(`/api/v1/customers/${acme.id as string}/history`)).data
    const contactEvents = history.filter((e: any) => e.entity === 'contact')
    expect(contactEvents.map((e: any) => e.action)).toEqual(['create'])
    expect(contactEvents[0].after).toMatchObject({ email: 'a@acme.com', isMain: true })
  })

  it('audits an update with the fields it changed only, each one’s old value before', async () => {
    const { api, http } = await setup()
    await importFile(
      api,
      'Customer name;City;Contact email;First name;Main contact\nAcme;Paris;a@acme.com;Ann;1\nAcme;Paris;b@acme.com;Bob;0\n',
    )
    await importFile(
      api,
      'Customer name;City;Contact email;First name;Main contact\nAcme;Lyon;a@acme.com;Anna;0\nAcme;Lyon;b@acme.com;Bob;1\n',
    )
    const [acme] = await customersOf(http)
    const history = json(await http.get(`/api/v1/customers/${acme.id as string}/history`)).data
    const updates = history.filter((e: any) => e.action === 'update')
    const customer = updates.find((e: any) => e.entity === 'customer')
    expect([customer.before, customer.after]).toEqual([
      { id: acme.id, city: 'Paris' },
      { id: acme.id, city: 'Lyon' },
    ])
    const idOf = (email: string) => acme.contacts.find((c: any) => c.email === email).id
    const contactChanges = updates
      .filter((e: any) => e.entity === 'contact')
      .map((e: any) => [e.before, e.after])
    expect(contactChanges).toEqual(
      expect.arrayContaining([
        [
          { id: idOf('a@acme.com'), firstName: 'Ann' },
          { id: idOf('a@acme.com'), firstName: 'Anna' },
        ],
        [
          { id: idOf('a@acme.com'), isMain: true },
          { id: idOf('a@acme.com'), isMain: false },
        ],
        [
          { id: idOf('b@acme.com'), isMain: false },
          { id: idOf('b@acme.com'), isMain: true },
        ],
      ]),
    )
    expect(contactChanges).toHaveLength(3)
  })

  it('previews an upload while its file is stored; a file not stored is refused with a reason', async () => {
    const { org } = await setup()
    // Content of its own, so no local copy of an earlier run stands in for the stored file.
    const content = `Customer name;City\nAcme ${randomUUID()};Paris\n`
    const path = join(tmpdir(), `roster-test-${randomUUID()}.csv`)
    await writeFile(path, content)
    const sha256 = createHash('sha256').update(content).digest('hex')
    const upload = { path, fileName: 'a.csv', size: Buffer.byteLength(content), sha256 }
    const { row, preview, stored } = await createImport(store.db, org.scope, upload, {})
    expect(preview.inspection.columns).toEqual(['Customer name', 'City'])
    await stored
    await store.db
      .delete(importFiles)
      .where(and(eq(importFiles.organizationId, org.id), eq(importFiles.importId, row.id)))
    const refused = await setMapping(store.db, org.id, row.id, ['customer.name', 'customer.city'])
      .then(() => null)
      .catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(AppError)
    expect((refused as AppError).message).toBe(
      'The file of this import is still being stored: try again in a moment, or upload it again.',
    )
  })

  it('refuses a line holding a NUL character, saying so, and applies the others', async () => {
    const { api, http } = await setup()
    // Enough lines that one NUL does not make the file look binary.
    const more = Array.from({ length: 60 }, (_, i) => `Other ${i};Nantes`).join('\n')
    const { id, dryRun, result } = await importFile(
      api,
      Buffer.from(`Customer name;City\nAcme;Pa\u0000ris\nBeta;Lyon\n${more}\n`),
    )
    expect(dryRun.dryRun.lines).toMatchObject({ created: 61, rejected: 1 })
    expect(result.status).toBe('completed')
    expect(json(await apiCall(api, 'GET', `/imports/${id}/rejected-lines`)).data).toMatchObject([
      {
        line: 2,
        column: 'City',
        value: 'Paris',
        reason:
          'This cell holds a NUL character (an invisible byte 0), which cannot be stored; delete it and import the line again.',
      },
    ])
    expect((await customersOf(http)).map((c) => c.name)).not.toContain('Acme')
    const header = await upload(app, api.key, 'nul.csv', `Customer\u0000 name;City\n${more}\n`)
    expect(header.statusCode).toBe(422)
    expect(json(header).error.message).toBe(
      'The header row holds a NUL character (an invisible byte 0); delete it and upload the file again.',
    )
  })

  it('refuses a first name the API would refuse: one length rule for both', async () => {
    const { api, http } = await setup()
    const long = 'A'.repeat(201)
    const { id: customerId } = json(await http.post('/api/v1/customers', { name: 'Acme' }))
    const byApi = await http.post(`/api/v1/customers/${customerId as string}/contacts`, {
      email: 'api@acme.com',
      firstName: long,
    })
    expect(byApi.statusCode).toBe(400)
    const { id, dryRun } = await importFile(
      api,
      `Customer name;Contact email;First name\nAcme;a@acme.com;${long}\nAcme;b@acme.com;${'B'.repeat(200)}\n`,
    )
    expect(dryRun.dryRun.lines).toMatchObject({ rejected: 1, created: 1 })
    const [rejection] = json(await apiCall(api, 'GET', `/imports/${id}/rejected-lines`)).data
    expect(rejection).toMatchObject({
      line: 2,
      column: 'First name',
      reason: 'First name is longer than 200 characters; shorten it.',
    })
  })

  it('a blank cell leaves the stored value unchanged', async () => {
    const { api, http } = await setup()
    await importFile(api, 'Customer ID;Customer name;City;Postal code\nX1;Acme;Lyon;69001\n')
    const { result } = await importFile(
      api,
      'Customer ID;Customer name;City;Postal code\nX1;Acme;;69002\n',
    )
    expect(result.summary.customers).toEqual({ created: 0, updated: 1, unchanged: 0 })
    const [acme] = await customersOf(http)
    expect([acme.city, acme.postalCode]).toEqual(['Lyon', '69002'])
  })

  it('rejects a name shared by several customers without an ID, saying so', async () => {
    const { api, http } = await setup()
    await http.post('/api/v1/customers', { name: 'Twin', externalId: 'T1' })
    await http.post('/api/v1/customers', { name: 'Twin', externalId: 'T2' })
    const { id } = await importFile(api, 'Customer name;City\nTwin;Nice\n')
    const [rejection] = json(await apiCall(api, 'GET', `/imports/${id}/rejected-lines`)).data
    expect(rejection.reason).toBe(
      'Several customers are named "Twin"; add the Customer ID to say which one.',
    )
  })

  it('finds a contact by Contact ID, else by email, case-insensitively', async () => {
    const { api, http } = await setup()
    await importFile(
      api,
      'Customer name;Contact email;Contact ID;Family name\nAcme;Ann@Acme.com;K1;Old\n',
    )
    await importFile(
      api,
      'Customer name;Contact email;Contact ID;Family name\nAcme;ann.new@acme.com;K1;New\nAcme;ANN.NEW@acme.com;;Newer\n',
    )
    const [acme] = await customersOf(http)
    expect(acme.contacts.map((c: any) => [c.email, c.externalId, c.lastName])).toEqual([
      ['ANN.NEW@acme.com', 'K1', 'Newer'],
    ])
  })

  it('rejects an unknown role with the allowed values, an unknown workflow and a bad email', async () => {
    const { api } = await setup()
    const { id, dryRun } = await importFile(
      api,
      'Customer ID;Customer name;Contact email;Role;Workflow\n1;A;a@a.com;Boss;\n2;B;b@b.com;;Nope\n3;C;not-an-email;;\n',
    )
    expect(dryRun.dryRun.lines.rejected).toBe(3)
    const reasons = json(await apiCall(api, 'GET', `/imports/${id}/rejected-lines`)).data.map(
      (r: any) => r.reason,
    )
    expect(reasons).toEqual([
      'Role "Boss" is not one of Accounting, Sales, Purchaser, Payer; map it to one of them in the value mapping step, or correct it.',
      'Workflow "Nope" not found; check its name or create it in Settings.',
      '"not-an-email" is not a valid email address; write it like name@company.com.',
    ])
  })

  it("creates a group named on its subsidiaries' lines and links them", async () => {
    const { api, http } = await setup()
    const { result } = await importFile(
      api,
      'Customer name;Customer ID;Group name;Group ID\nHélios Sud;H2;Groupe Hélios;H1\nHélios Nord;H3;Groupe Hélios;H1\n',
    )
    expect(result.summary.customers.created).toBe(3)
    const customers = await customersOf(http)
    const group = customers.find((c) => c.externalId === 'H1')
    expect(group.name).toBe('Groupe Hélios')
    expect(
      customers
        .filter((c) => c.group?.id === group.id)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['Hélios Nord', 'Hélios Sud'])
  })

  it('gives the rejected lines back as a file to fix: original columns and an Error column', async () => {
    const { api } = await setup()
    const { id } = await importFile(api, 'Customer name;Contact email\nGood;g@g.com\nBad;nope\n')
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/v1/imports/${id}/rejected-lines`,
      headers: { authorization: `Bearer ${api.key}`, accept: 'text/csv' },
    })
    expect(response.headers['content-type']).toContain('text/csv')
    expect(response.body).toBe(
      '\uFEFFCustomer name;Contact email;Error\r\nBad;nope;"""nope"" is not a valid email address; write it like name@company.com."\r\n',
    )
  })

  it('keeps the original file byte for byte', async () => {
    const { api } = await setup()
    const bytes = Buffer.from('Customer name\r\nCafé\r\n', 'latin1')
    const { id } = await importFile(api, bytes, { fileName: 'clients é.csv' })
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/v1/imports/${id}/file`,
      headers: { authorization: `Bearer ${api.key}` },
    })
    expect(response.rawPayload.equals(bytes)).toBe(true)
    const { http } = { http: client(app, api.key) }
    expect(json(await http.get('/api/v1/customers')).data[0].name).toBe('Café')
  })

  it('imports a file of several MiB, stored in pieces and read back for its dry run', async () => {
    const { api, http } = await setup()
    const lines = Array.from(
      { length: 24_000 },
      (_, i) => `Client ${i} ${'x'.repeat(60)};BIG-${i};ap${i}@big.example`,
    )
    const bytes = Buffer.from(['Company;Customer ID;Email', ...lines, ''].join('\r\n'))
    expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024)
    const { id, dryRun, result } = await importFile(api, bytes, { fileName: 'big.csv' })
    expect(dryRun.dryRun.lines).toMatchObject({ created: 24_000, rejected: 0 })
    expect(result).toMatchObject({ status: 'completed' })
    const file = await api.app.inject({
      method: 'GET',
      url: `/api/v1/imports/${id}/file`,
      headers: { authorization: `Bearer ${api.key}` },
    })
    expect(file.rawPayload.equals(bytes)).toBe(true)
    const found = json(await http.get('/api/v1/customers?q=BIG-23999')).data
    expect(found.map((c: any) => c.externalId)).toEqual(['BIG-23999'])
  })

  it('refuses an empty file and a mapping with a field twice, changing nothing', async () => {
    const { api } = await setup()
    const empty = await upload(app, api.key, 'empty.csv', '')
    expect(empty.statusCode).toBe(422)
    expect(json(empty).error.message).toBe('The file is empty.')
    const ok = json(await upload(app, api.key, 'x.csv', 'Name;Other\nA;B\n'))
    const twice = await apiCall(api, 'PUT', `/imports/${ok.id}/mapping`, {
      mapping: ['customer.name', 'customer.name'],
    })
    expect(twice.statusCode).toBe(400)
    expect(json(await apiCall(api, 'GET', '/imports')).data).toHaveLength(1)
  })
})
