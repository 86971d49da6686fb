import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { recordAudit } from '../../src/modules/audit/audit.service.ts'
import { reminders } from '../../src/platform/db/schema/index.ts'
import { apiCall, importFile } from '../imports/helpers.ts'
import { client, json, newOrg, testApp, testStore } from '../support.ts'

const store = await testStore()
const app = await testApp(store, { workers: true })

/** Rows of the organisation, in every table that can hold a person, whose text holds `needle`. */
async function rowsHolding(organizationId: string, needle: string): Promise<string[]> {
  const like = `%${needle}%`
  const { rows } = await store.db.execute<{ source: string }>(sql`
    select 'contacts' as source from contacts t where t.organization_id = ${organizationId} and t::text ilike ${like}
    union all select 'audit_events' from audit_events t where t.organization_id = ${organizationId} and t::text ilike ${like}
    union all select 'import_lines' from import_lines t where t.organization_id = ${organizationId} and t::text ilike ${like}
    union all select 'import_rejections' from import_rejections t where t.organization_id = ${organizationId} and t::text ilike ${like}
    union all select 'import_files' from import_files t where t.organization_id = ${organizationId} and convert_from(t.data, 'UTF8') ilike ${like}
    union all select 'reminders' from reminders t where t.organization_id = ${organizationId} and t::text ilike ${like}`)
  return rows.map((row) => row.source)
}

const file = [
  'Customer name;Customer ID;Country;Contact email;First name;Last name;Phone',
  'Durand Frères;C1;FR;elodie.durand@durand.example;Élodie;Durand;01 84 80 12 34',
  'Durand Frères;C1;FR;bob@durand.example;Bob;Martin;',
  // Rejected (no such country): the rejection keeps the line number, the file keeps the line.
  'Élodie Conseil;C2;ZZ;elodie.durand@durand.example;Élodie;Durand;',
].join('\r\n')

async function setup() {
  const org = await newOrg(store)
  const api = client(app, org.key)
  const imported = await importFile({ app, key: org.key }, file, { fileName: 'clients.csv' })
  expect(imported.result.status).toBe('completed')
  const customers = json(await api.get('/api/v1/customers?limit=200')).data as any[]
  const customer = customers.find((c) => c.externalId === 'C1')
  const contacts = json(await api.get(`/api/v1/customers/${customer.id}/contacts`)).data as any[]
  const elodie = contacts.find((c) => c.email === 'elodie.durand@durand.example')
  const bob = contacts.find((c) => c.email === 'bob@durand.example')
  // A change through the API: one more history entry with her data, before and after.
  const changed = await api.patch(`/api/v1/contacts/${elodie.id}`, { jobTitle: 'Comptable' })
  expect(changed.statusCode).toBe(200)
  // A reminder sent to her and Bob, and its history entry, as the reminder job writes them.
  const reminderId = randomUUID()
  await store.db.insert(reminders).values({
    organizationId: org.id,
    id: reminderId,
    customerId: customer.id,
    stepName: 'First reminder',
    to: [{ contactId: elodie.id, email: elodie.email }],
    cc: [{ contactId: bob.id, email: bob.email }],
    subject: 'Invoice 42',
    body: `Hello, this is for ${elodie.email as string}.`,
    status: 'sent',
    messageId: `<${reminderId}@roster.test>`,
    actorKind: 'cli',
    actorLabel: 'command line',
  })
  await recordAudit(store.db, org.scope, {
    entity: 'reminder',
    entityId: reminderId,
    customerId: customer.id,
    action: 'send',
    before: null,
    after: { step: 'First reminder', to: [elodie.email], cc: [bob.email], subject: 'Invoice 42' },
  })
  return { org, api, importId: imported.id, customer, elodie, bob }
}

describe("erasing a contact's personal data", () => {
  it('removes it from the contact, its history and the imports, and records the erasure without it', async () => {
    const { org, api, importId, customer, elodie, bob } = await setup()
    expect(new Set(await rowsHolding(org.id, 'elodie.durand'))).toEqual(
      new Set(['contacts', 'audit_events', 'import_files', 'reminders']),
    )

    const erased = await api.post(`/api/v1/contacts/${elodie.id}/erase`, {})
    expect(erased.statusCode, erased.body).toBe(200)
    expect(json(erased)).toMatchObject({
      id: elodie.id,
      customerId: customer.id,
      fields: ['email', 'firstName', 'lastName', 'phone', 'jobTitle'],
      imports: [{ id: importId, lines: [2, 4], fileDeleted: true }],
      warnings: [],
    })
    expect(json(erased).historyEntries).toBeGreaterThanOrEqual(2)

    for (const needle of ['elodie.durand', 'Élodie', '84 80 12 34', 'Comptable']) {
      expect(await rowsHolding(org.id, needle), needle).toEqual([])
    }
    // Bob, on the same customer and in the same file's import, keeps his data.
    expect(json(await api.get(`/api/v1/contacts/${bob.id}`)).email).toBe('bob@durand.example')
    expect(new Set(await rowsHolding(org.id, 'bob@durand.example'))).toEqual(
      new Set(['contacts', 'audit_events', 'reminders']),
    )

    // The contact is gone from the lists; the history says it was erased, without saying who.
    expect((await api.get(`/api/v1/contacts/${elodie.id}`)).statusCode).toBe(404)
    const history = json(await api.get(`/api/v1/customers/${customer.id}/history`))
    const events = (history.data ?? history) as any[]
    const sent = events.find((e) => e.entity === 'reminder')
    expect(sent.after).toMatchObject({ to: [null], cc: ['bob@durand.example'] })
    const erasure = events.find((e) => e.action === 'erase')
    expect(erasure).toMatchObject({
      entity: 'contact',
      entityId: elodie.id,
      before: null,
      after: { fields: ['email', 'firstName', 'lastName', 'phone', 'jobTitle'] },
    })
    expect(JSON.stringify(erasure)).not.toMatch(/elodie|Élodie|Durand|84 80|Comptable/i)
    const created = events.find((e) => e.entityId === elodie.id && e.action === 'create')
    expect(created.after).toMatchObject({ email: null, firstName: null, lastName: null })

    // The import says its file was deleted; reading the file says why instead of failing.
    const record = json(await apiCall({ app, key: org.key }, 'GET', `/imports/${importId}`))
    expect(record.fileErasedAt).toEqual(expect.any(String))
    const download = await api.get(`/api/v1/imports/${importId}/file`)
    expect(download.statusCode).toBe(409)
    expect(json(download).error.message).toContain('held a person whose data was erased')
    const rejected = json(await api.get(`/api/v1/imports/${importId}/rejected-lines`))
    expect(rejected.data).toEqual([
      {
        line: 4,
        column: 'Country',
        value: null,
        reason: 'This line held a person whose data was erased.',
        problems: [
          {
            column: 'Country',
            value: null,
            reason: 'This line held a person whose data was erased.',
          },
        ],
      },
    ])
  })

  it('refuses a second erasure with 409, and another organisation’s contact with 404', async () => {
    const { api, elodie } = await setup()
    expect((await api.post(`/api/v1/contacts/${elodie.id}/erase`, {})).statusCode).toBe(200)
    const again = await api.post(`/api/v1/contacts/${elodie.id}/erase`, {})
    expect(again.statusCode).toBe(409)
    expect(json(again).error.message).toMatch(/already erased on \d{4}-\d{2}-\d{2}/)

    const other = await newOrg(store)
    const stranger = client(app, other.key)
    const { elodie: theirs } = await setup()
    expect((await stranger.post(`/api/v1/contacts/${theirs.id}/erase`, {})).statusCode).toBe(404)
    expect((await stranger.get(`/api/v1/contacts/${theirs.id}/personal-data`)).statusCode).toBe(404)
  })
})

describe('erasing a contact deleted earlier', () => {
  it('removes it from the history its deletion left, once', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    const customer = json(await api.post('/api/v1/customers', { name: 'Martin SARL' }))
    const added = json(
      await api.post(`/api/v1/customers/${customer.id}/contacts`, {
        email: 'jeanne.martin@martin.example',
        lastName: 'Martin-Lefèvre',
      }),
    )
    expect((await api.delete(`/api/v1/contacts/${added.id}`)).statusCode).toBe(204)
    expect(await rowsHolding(org.id, 'jeanne.martin')).toEqual(['audit_events', 'audit_events'])

    const erased = await api.post(`/api/v1/contacts/${added.id}/erase`, {})
    expect(erased.statusCode, erased.body).toBe(200)
    expect(json(erased)).toMatchObject({ fields: ['email', 'lastName'], historyEntries: 2 })
    expect(await rowsHolding(org.id, 'jeanne.martin')).toEqual([])
    expect(await rowsHolding(org.id, 'Lefèvre')).toEqual([])
    expect((await api.post(`/api/v1/contacts/${added.id}/erase`, {})).statusCode).toBe(409)
    expect((await api.post(`/api/v1/contacts/${randomUUID()}/erase`, {})).statusCode).toBe(404)
  })
})

describe("a contact's personal data on request", () => {
  it('is one JSON document: the contact, its history and the import lines that mention it', async () => {
    const { api, importId, customer, elodie } = await setup()
    const res = await api.get(`/api/v1/contacts/${elodie.id}/personal-data`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-disposition']).toContain(`contact-${elodie.id}.json`)
    const data = json(res)
    expect(data.contact).toMatchObject({
      id: elodie.id,
      customer: { id: customer.id, name: 'Durand Frères' },
      email: 'elodie.durand@durand.example',
      firstName: 'Élodie',
      jobTitle: 'Comptable',
      erasedAt: null,
    })
    expect(data.history.map((e: any) => e.action).sort()).toEqual(['create', 'send', 'update'])
    expect(data.imports).toEqual([
      expect.objectContaining({
        id: importId,
        fileName: 'clients.csv',
        columns: expect.arrayContaining(['Contact email']),
        lines: [
          { line: 2, cells: expect.arrayContaining(['elodie.durand@durand.example']) },
          { line: 4, cells: expect.arrayContaining(['Élodie Conseil']) },
        ],
      }),
    ])
  })
})
