import { mkdtemp, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { runImport } from '../../src/modules/imports/apply/run.ts'
import { HandedBack } from '../../src/platform/queue/queue.ts'
import { createImport, setMapping, startImport } from '../../src/modules/imports/imports.service.ts'
import { listNotifications } from '../../src/modules/notifications/notifications.service.ts'
import {
  connections,
  customers,
  importLines,
  imports,
  organizations,
} from '../../src/platform/db/schema/index.ts'
import { client, json, newMember, newOrg, testApp, testQueue, testStore } from '../support.ts'
import { apiCall, importFile, upload, waitForImport } from './helpers.ts'

const store = await testStore()
const app = await testApp(store, { workers: true })

/** An organisation with a customer brought by Stripe, with one synced contact. */
async function withSyncedCustomer() {
  const org = await newOrg(store)
  const http = client(app, org.key)
  const [connection] = await store.db
    .insert(connections)
    .values({ organizationId: org.id, system: 'stripe', name: 'Stripe' })
    .returning()
  // The organisation's first billing connection is its contact source.
  await store.db
    .update(organizations)
    .set({ contactSourceConnectionId: connection?.id })
    .where(eq(organizations.id, org.id))
  const { id } = json(await http.post('/api/v1/customers', { name: 'Synced', externalId: 'cus_1' }))
  await http.post(`/api/v1/customers/${id as string}/contacts`, { email: 'ap@synced.co' })
  await store.db
    .update(customers)
    .set({ sourceConnectionId: connection?.id })
    .where(eq(customers.id, id as string))
  return { org, http, api: { app, key: org.key }, customerId: id as string }
}

const reasons = async (api: { app: typeof app; key: string }, id: string) =>
  json(await apiCall(api, 'GET', `/imports/${id}/rejected-lines`)).data

describe('what a source owns', () => {
  it('rejects a line changing a synced customer, naming the source, and applies assignments', async () => {
    const { org, api, http, customerId } = await withSyncedCustomer()
    const manager = await newMember(store, org, 'account_manager')
    const { id, result } = await importFile(
      api,
      `Customer ID;Customer name;City;Account manager\ncus_1;Synced;Paris;\ncus_1;;;${manager.email}\n`,
    )
    expect(result.summary.lines).toMatchObject({ rejected: 1, updated: 1 })
    expect(await reasons(api, id)).toMatchObject([
      {
        line: 2,
        column: 'City',
        value: 'Paris',
        reason: 'This customer is synced from Stripe: change it in Stripe.',
      },
    ])
    const customer = json(await http.get(`/api/v1/customers/${customerId}`))
    expect(customer.city).toBeNull()
    expect(customer.accountManagers).toEqual([manager.email])
  })

  it('rejects contact changes while Stripe is the contact source, and applies them once disconnected', async () => {
    const { org, api, http, customerId } = await withSyncedCustomer()
    const file = 'Customer ID;Contact email;First name\ncus_1;new@synced.co;New\n'
    const first = await importFile(api, file)
    expect(await reasons(api, first.id)).toMatchObject([
      {
        line: 2,
        column: 'Contact email',
        value: 'new@synced.co',
        reason: 'Contacts of this customer are synced from Stripe: change them in Stripe.',
      },
    ])
    await store.db
      .update(organizations)
      .set({ contactsDisconnectedAt: new Date() })
      .where(eq(organizations.id, org.id))
    const second = await importFile(api, file)
    expect(second.result.summary.contacts.created).toBe(1)
    const contacts = json(await http.get(`/api/v1/customers/${customerId}/contacts`)).data
    expect(contacts.map((c: any) => c.email).sort()).toEqual(['ap@synced.co', 'new@synced.co'])
  })
})

describe('dry run', () => {
  it('classifies every line before anything is written', async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    const http = client(app, org.key)
    await http.post('/api/v1/customers', { name: 'Old', externalId: 'O1', city: 'Lyon' })
    await http.post('/api/v1/customers', { name: 'Same', externalId: 'S1', city: 'Nice' })
    const uploaded = json(
      await upload(
        app,
        org.key,
        'f.csv',
        'Customer ID;Customer name;City\nN1;New;Paris\nO1;Old;Lille\nS1;Same;Nice\n;;Nowhere\n',
      ),
    )
    const dry = json(
      await apiCall(api, 'PUT', `/imports/${uploaded.id}/mapping`, {
        mapping: uploaded.suggestedMapping,
      }),
    )
    expect(dry.status).toBe('mapped')
    expect(dry.dryRun).toEqual({
      lines: { total: 4, created: 1, updated: 1, unchanged: 1, rejected: 1 },
      customers: { created: 1, updated: 1, unchanged: 1 },
      contacts: { created: 0, updated: 0, unchanged: 0 },
    })
    expect(dry.rejected).toMatchObject([
      {
        line: 5,
        column: 'Customer name',
        value: null,
        reason: 'Customer name is missing: fill in the customer name or its Customer ID.',
      },
    ])
    const lines = json(await apiCall(api, 'GET', `/imports/${uploaded.id}/lines`)).data
    expect(lines).toEqual([
      { line: 2, outcome: 'create' },
      { line: 3, outcome: 'update' },
      { line: 4, outcome: 'unchanged' },
    ])
    const updates = await apiCall(api, 'GET', `/imports/${uploaded.id}/lines?outcome=update`)
    expect(json(updates).data).toEqual([{ line: 3, outcome: 'update' }])
    const list = json(await http.get('/api/v1/customers')).data
    expect(list.map((c: any) => [c.name, c.city])).toEqual([
      ['Old', 'Lyon'],
      ['Same', 'Nice'],
    ])
  })
})

describe('background runs', () => {
  it('cancels an import that has not started', async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    const uploaded = json(await upload(app, org.key, 'f.csv', 'Customer name\nA\n'))
    await apiCall(api, 'PUT', `/imports/${uploaded.id}/mapping`, {
      mapping: uploaded.suggestedMapping,
    })
    const cancelled = json(await apiCall(api, 'POST', `/imports/${uploaded.id}/cancel`, {}))
    expect(cancelled.status).toBe('cancelled')
    const start = await apiCall(api, 'POST', `/imports/${uploaded.id}/start`, {})
    expect(start.statusCode).toBe(409)
    expect(json(start).error.message).toBe(
      'This import cannot be submitted: it was cancelled; upload the file again.',
    )
  })

  it('resumes after a crash between chunks without applying a line twice', async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    const http = client(app, org.key)
    // Customers named as groups go in the first chunk, the others in the next ones.
    const lines = ['Customer name;Group name;Contact email']
    for (let i = 0; i < 5; i++) lines.push(`Sub ${i};Group;c${i}@x.com`)
    const uploaded = json(await upload(app, org.key, 'f.csv', lines.join('\n')))
    await apiCall(api, 'PUT', `/imports/${uploaded.id}/mapping`, {
      mapping: uploaded.suggestedMapping,
    })
    // Queue it as the API would, but run it here so the "crash" can be staged.
    await store.db
      .update(imports)
      .set({ status: 'queued' })
      .where(eq(imports.id, uploaded.id as string))
    await expect(
      runImport(store.db, org.id, uploaded.id as string, {
        afterChunk: (chunk) => {
          if (chunk === 0) throw new Error('killed')
        },
      }),
    ).rejects.toThrow('killed')
    const halfway = json(await apiCall(api, 'GET', `/imports/${uploaded.id}`))
    expect(halfway).toMatchObject({ status: 'running' })
    expect(halfway.progress.linesDone).toBeLessThan(5)
    await runImport(store.db, org.id, uploaded.id as string)
    const done = await waitForImport(api, uploaded.id as string)
    expect(done.status).toBe('completed')
    expect(done.progress.linesDone).toBe(5)
    const all = json(await http.get('/api/v1/customers?limit=50')).data
    expect(all.map((c: any) => c.name).sort()).toEqual([
      'Group',
      'Sub 0',
      'Sub 1',
      'Sub 2',
      'Sub 3',
      'Sub 4',
    ])
  })

  it('hands an import back after the chunk that commits when its worker stops, then resumes it', async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    const lines = ['Customer name;Group name;Contact email']
    for (let i = 0; i < 5; i++) lines.push(`Sub ${i};Group;c${i}@x.com`)
    const uploaded = json(await upload(app, org.key, 'f.csv', lines.join('\n')))
    await apiCall(api, 'PUT', `/imports/${uploaded.id}/mapping`, {
      mapping: uploaded.suggestedMapping,
    })
    await store.db
      .update(imports)
      .set({ status: 'queued' })
      .where(eq(imports.id, uploaded.id as string))
    // The process starts stopping while the first chunk merges.
    const stopping = new AbortController()
    let applied = 0
    await expect(
      runImport(store.db, org.id, uploaded.id as string, {
        signal: stopping.signal,
        afterChunk: () => {
          stopping.abort()
        },
        applied: (n) => (applied += n),
      }),
    ).rejects.toBeInstanceOf(HandedBack)
    const [handedBack] = await store.db
      .select()
      .from(imports)
      .where(eq(imports.id, uploaded.id as string))
    expect(handedBack).toMatchObject({ status: 'running', chunksApplied: 1 })
    expect(handedBack?.chunkCount).toBeGreaterThan(1)

    await runImport(store.db, org.id, uploaded.id as string, { applied: (n) => (applied += n) })
    const done = await waitForImport(api, uploaded.id as string)
    expect(done).toMatchObject({ status: 'completed', progress: { linesDone: 5 } })
    // Every line counted once across the two runs (the import lines metric).
    expect(applied).toBe(5)
  })

  it('counts exactly after the database lost the staged lines mid-run', async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    const lines = ['Customer name;Group name;Contact email']
    for (let i = 0; i < 5; i++) lines.push(`Sub ${i};Group;c${i}@x.com`)
    const uploaded = json(await upload(app, org.key, 'f.csv', lines.join('\n')))
    const mapped = json(
      await apiCall(api, 'PUT', `/imports/${uploaded.id}/mapping`, {
        mapping: uploaded.suggestedMapping,
      }),
    )
    const expected = { created: 6, updated: 0, unchanged: 0 }
    expect(mapped.dryRun.customers).toEqual(expected)
    await store.db
      .update(imports)
      .set({ status: 'queued' })
      .where(eq(imports.id, uploaded.id as string))
    await expect(
      runImport(store.db, org.id, uploaded.id as string, {
        afterChunk: async (chunk) => {
          if (chunk !== 0) return
          // A server crash empties the unlogged staged lines; the applied chunk stays.
          await store.db.delete(importLines).where(eq(importLines.importId, uploaded.id as string))
          throw new Error('killed')
        },
      }),
    ).rejects.toThrow('killed')
    await runImport(store.db, org.id, uploaded.id as string)
    const done = await waitForImport(api, uploaded.id as string)
    expect(done.status).toBe('completed')
    expect(done.summary.customers).toEqual(expected)
    expect(done.summary.contacts).toEqual({ created: 5, updated: 0, unchanged: 0 })
    expect(done.summary.lines).toMatchObject({ created: 5, unchanged: 0 })
    expect(done.progress.linesDone).toBe(5)
  })

  it("runs the dry run's plan when nothing changed since, and plans again when data changed", async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    const http = client(app, org.key)
    const planned = async (id: string) =>
      (
        await store.db
          .select({ customerId: importLines.customerId })
          .from(importLines)
          .where(eq(importLines.importId, id))
      ).map((l) => l.customerId)
    const submit = async (file: string) => {
      const uploaded = json(await upload(app, org.key, 'f.csv', file))
      const mapped = json(
        await apiCall(api, 'PUT', `/imports/${uploaded.id}/mapping`, {
          mapping: uploaded.suggestedMapping,
        }),
      )
      return { id: uploaded.id as string, dryRun: mapped.dryRun, ids: await planned(uploaded.id) }
    }
    const run = async (id: string) => {
      expect((await apiCall(api, 'POST', `/imports/${id}/start`, {})).statusCode).toBe(202)
      return waitForImport(api, id)
    }

    // Unchanged: the customer is created with the id the dry run planned for it.
    const first = await submit('Customer ID;Customer name\nU1;Unchanged\n')
    expect(await run(first.id)).toMatchObject({ status: 'completed' })
    const [created] = json(await http.get('/api/v1/customers?q=U1')).data
    expect(first.ids).toEqual([created.id])

    // Changed: a customer with the file's ID arrives between the dry run and the run.
    const second = await submit('Customer ID;Customer name\nC1;Changed\n')
    expect(second.dryRun.customers).toEqual({ created: 1, updated: 0, unchanged: 0 })
    await http.post('/api/v1/customers', { name: 'Changed', externalId: 'C1' })
    const done = await run(second.id)
    expect(done.summary.customers).toEqual({ created: 0, updated: 0, unchanged: 1 })
    expect(json(await http.get('/api/v1/customers?q=C1')).data).toHaveLength(1)
  })

  it('suggests the mapping an organisation chose before', async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    await importFile(api, 'Raison sociale;Xyz\nA;a@a.com\n', {
      mapping: ['customer.name', 'contact.email'],
    })
    const again = json(await upload(app, org.key, 'g.csv', 'Raison sociale;Xyz\nB;b@b.com\n'))
    expect(again.suggestedMapping).toEqual(['customer.name', 'contact.email'])
  })

  it('refuses a file over the size limit', async () => {
    const org = await newOrg(store)
    const small = await testApp(store, { importMaxBytes: 1024 })
    const response = await upload(small, org.key, 'big.csv', `Customer name\n${'A'.repeat(4096)}\n`)
    expect(response.statusCode).toBe(413)
    expect(json(response).error.message).toBe(
      'The file is larger than the 1 KB limit; split it into smaller files.',
    )
  })

  it('serves the four templates, whose headers map by themselves', async () => {
    const org = await newOrg(store)
    for (const name of [
      'customers',
      'customers-and-contacts',
      'account-managers-and-workflows',
      'all',
    ]) {
      const template = await app.inject({
        url: `/api/v1/import-templates/${name}`,
        headers: { authorization: `Bearer ${org.key}` },
      })
      expect(template.statusCode).toBe(200)
      expect(template.headers['content-type']).toContain('text/csv')
      const uploaded = json(await upload(app, org.key, `${name}.csv`, template.rawPayload))
      expect(uploaded.suggestedMapping.every((field: string | null) => field !== null)).toBe(true)
    }
  })

  it('notifies the member who started it, in the app, with the counts', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member')
    const scope = {
      organizationId: org.id,
      actor: {
        kind: 'member' as const,
        id: member.id,
        label: member.email,
        role: 'member' as const,
      },
    }
    const path = join(await mkdtemp(join(tmpdir(), 'roster-notify-')), 'clients.csv')
    await writeFile(path, 'Customer name;Contact email\nA;a@a.com\nB;nope\n')
    const { row, preview } = await createImport(
      store.db,
      scope,
      { path, fileName: 'clients.csv', size: (await stat(path)).size, sha256: `notify-${org.id}` },
      {},
    )
    await setMapping(store.db, org.id, row.id, preview.suggestedMapping)
    await startImport(store.db, await testQueue(store), org.id, row.id)
    await waitForImport({ app, key: org.key }, row.id)
    const { data } = await listNotifications(store.db, org.id, member.id, { limit: 10 })
    expect(data.map((n) => [n.kind, n.title, n.body])).toEqual([
      [
        'import_completed',
        'Import of clients.csv completed',
        '1 line applied, 1 line rejected: see the import history for the reasons.',
      ],
    ])
  })

  it('stops a running import after the chunk in progress when cancelled', async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    const lines = ['Customer name;Group name']
    for (let i = 0; i < 3; i++) lines.push(`Sub ${i};Group`)
    const uploaded = json(await upload(app, org.key, 'f.csv', lines.join('\n')))
    await apiCall(api, 'PUT', `/imports/${uploaded.id}/mapping`, {
      mapping: uploaded.suggestedMapping,
    })
    await store.db
      .update(imports)
      .set({ status: 'queued' })
      .where(eq(imports.id, uploaded.id as string))
    await runImport(store.db, org.id, uploaded.id as string, {
      afterChunk: async () => {
        await apiCall(api, 'POST', `/imports/${uploaded.id}/cancel`, {})
      },
    })
    const done = json(await apiCall(api, 'GET', `/imports/${uploaded.id}`))
    expect(done.status).toBe('cancelled')
    expect(done.progress.linesDone).toBeLessThan(3)
    const names = json(await client(app, org.key).get('/api/v1/customers')).data.map(
      (c: any) => c.name,
    )
    expect(names).toEqual(['Group'])
  })

  it('imports an xlsx workbook with its cells as typed', async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    const { default: ExcelJS } = await import('exceljs')
    const workbook = new ExcelJS.Workbook()
    const sheet = workbook.addWorksheet('Clients')
    sheet.addRow(['Nom du client', 'Code client', 'Téléphone', 'Email'])
    sheet.addRow(['Société Générale', '00123', '+33 6 12 34 56 78', 'anne@sg.fr'])
    const row = sheet.addRow(['Müller', 456, 33612345678, 'm@m.de'])
    row.getCell(2).numFmt = '00000'
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer())
    const { result } = await importFile(api, buffer, { fileName: 'clients.xlsx' })
    expect(result.status).toBe('completed')
    const customers = json(await client(app, org.key).get('/api/v1/customers')).data
    expect(customers.map((c: any) => [c.name, c.externalId])).toEqual([
      ['Müller', '00456'],
      ['Société Générale', '00123'],
    ])
  })
})
