import { and, eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { cellProblem } from '../../src/contracts/imports.ts'
import { imports } from '../../src/platform/db/schema/index.ts'
import { exportCustomers } from '../../src/modules/customers/export.ts'
import { client, json, newMember, newOrg, testApp, testStore, type TestOrg } from '../support.ts'
import { apiCall, importFile, waitForImport } from './helpers.ts'

const store = await testStore()
const app = await testApp(store, { workers: true })

async function setup() {
  const org = await newOrg(store)
  return { org, api: { app, key: org.key }, http: client(app, org.key) }
}

/** The export as the CLI writes it in JSON, and the CSV export of the API. */
async function exported(org: TestOrg, http: ReturnType<typeof client>) {
  const customers = []
  for await (const customer of exportCustomers(store.db, org.id)) customers.push(customer)
  const csv = await http.get('/api/v1/customers/export?format=csv')
  return { json: JSON.stringify(customers), csv: csv.body }
}

const step = {
  name: 'Nudge',
  delayDays: 3,
  subject: 'Invoice reminder for {{customer.name}}',
  body: 'Hello {{contact.firstName}}',
  to: ['ACCOUNTING'],
  cc: [],
}

const customerNamed = async (http: ReturnType<typeof client>, name: string) => {
  const list = json(await http.get(`/api/v1/customers?limit=200`)).data as any[]
  return list.find((c) => c.name === name)
}

/** Rewrites an import's update rows as a trail of changed fields only (plus the id) keeps them. */
async function keepChangedKeysOnly(importId: string): Promise<void> {
  await store.db.execute(sql`
    update audit_events a set before = p.before, after = p.after
    from (
      select e.organization_id, e.id,
        jsonb_object_agg(k.key, k.value) filter (where k.key = 'id' or e.after -> k.key is distinct from k.value) as before,
        jsonb_object_agg(k.key, e.after -> k.key) filter (where k.key = 'id' or e.after -> k.key is distinct from k.value) as after
      from audit_events e cross join lateral jsonb_each(e.before) k
      where e.actor_kind = 'import' and e.actor_id = ${importId}::uuid and e.action = 'update'
      group by e.organization_id, e.id
    ) p
    where a.organization_id = p.organization_id and a.id = p.id`)
}

describe('undoing an import', () => {
  it.each([
    ['whole records', false],
    ['only the changed fields', true],
  ])(
    'puts the customers and contacts back as they were before the import, byte for byte (trail of %s)',
    async (_, partial) => {
      const { org, api, http } = await setup()
      const first = await newMember(store, org, 'account_manager')
      const second = await newMember(store, org, 'account_manager')
      for (const name of ['Standard', 'Firm']) {
        expect((await http.post('/api/v1/workflows', { name, steps: [step] })).statusCode).toBe(201)
      }
      const header =
        'Customer ID;Customer name;City;Account manager;Workflow name;Group;Contact email;First name;Role;Main contact'
      const before = await importFile(
        api,
        [
          header,
          `C1;Alpha;Paris;${first.email};Standard;;a1@alpha.fr;Ann;Accounting;1`,
          'C1;Alpha;;;;;a2@alpha.fr;Al;Sales;0',
          'C2;Beta;Lyon;;;;b1@beta.fr;Bob;;1',
        ].join('\n'),
      )
      expect(before.result.summary.lines.rejected).toBe(0)
      const was = await exported(org, http)

      const changed = await importFile(
        api,
        [
          header,
          `C1;Alpha SA;Nice;${second.email};Firm;;a2@alpha.fr;Alain;Payer;1`,
          'C2;Beta;;;;;b2@beta.fr;Bea;;',
          `C3;Gamma;Berlin;${first.email};;Holding Ltd;g@gamma.de;Gus;;1`,
        ].join('\n'),
      )
      expect(changed.result.summary.lines.rejected).toBe(0)
      expect((await exported(org, http)).json).not.toBe(was.json)
      if (partial) await keepChangedKeysOnly(changed.id)

      const undone = await apiCall(api, 'POST', `/imports/${changed.id}/undo`)
      expect(undone.statusCode, undone.body).toBe(200)
      const record = json(undone)
      expect(record.undo).toMatchObject({
        customers: { removed: 2, restored: 1 },
        contacts: { removed: 2, restored: 2 },
        keptTotal: 0,
        kept: [],
      })
      const now = await exported(org, http)
      expect(now.json).toBe(was.json)
      expect(now.csv).toBe(was.csv)

      const alpha = await customerNamed(http, 'Alpha')
      const history = json(await http.get(`/api/v1/customers/${alpha.id}/history`))
      const events = (history.data ?? history) as any[]
      expect(events.some((e) => e.action === 'undo')).toBe(true)

      // Once only.
      const again = await apiCall(api, 'POST', `/imports/${changed.id}/undo`)
      expect(again.statusCode).toBe(409)
      expect(json(again).error.message).toMatch(/already undone/)
      expect((await exported(org, http)).json).toBe(was.json)
      const listed = json(await apiCall(api, 'GET', '/imports')).data as any[]
      expect(listed.find((i) => i.id === changed.id).undo.customers.removed).toBe(2)
    },
  )

  it('leaves a record changed since the import as it is, lists it, and undoes the rest', async () => {
    const { api, http } = await setup()
    await importFile(
      api,
      ['Customer ID;Customer name;City', 'C1;Alpha;Paris', 'C2;Beta;Lyon'].join('\n'),
    )
    const { id } = await importFile(
      api,
      ['Customer ID;Customer name;City', 'C1;Alpha;Nice', 'C2;Beta;Rome'].join('\n'),
    )
    const beta = await customerNamed(http, 'Beta')
    const patched = await http.patch(`/api/v1/customers/${beta.id}`, { city: 'Madrid' })
    expect(patched.statusCode).toBe(200)

    const record = json(await apiCall(api, 'POST', `/imports/${id}/undo`))
    expect(record.undo.customers).toEqual({ removed: 0, restored: 1 })
    expect(record.undo.keptTotal).toBe(1)
    expect(record.undo.kept).toEqual([
      expect.objectContaining({ entity: 'customer', id: beta.id, name: 'Beta' }),
    ])
    expect(record.undo.kept[0].reason).toMatch(/^Changed since by .+ on \d{4}-\d{2}-\d{2}\.$/)
    expect((await customerNamed(http, 'Alpha')).city).toBe('Paris')
    expect((await customerNamed(http, 'Beta')).city).toBe('Madrid')
  })

  it('undoes an import whose trail rows carry its member rather than its id', async () => {
    const { org, api, http } = await setup()
    await importFile(api, ['Customer ID;Customer name;City', 'C1;Alpha;Paris'].join('\n'))
    const { id } = await importFile(
      api,
      ['Customer ID;Customer name;City', 'C1;Alpha;Nice', 'C2;Beta;Rome'].join('\n'),
    )
    const [row] = await store.db
      .select()
      .from(imports)
      .where(and(eq(imports.organizationId, org.id), eq(imports.id, id)))
    await store.db.execute(sql`
      update audit_events set actor_id = ${row?.actorId ?? null}::uuid
      where organization_id = ${org.id}::uuid and actor_kind = 'import' and actor_id = ${id}::uuid`)
    const record = json(await apiCall(api, 'POST', `/imports/${id}/undo`))
    expect(record.undo.customers).toEqual({ removed: 1, restored: 1 })
    expect((await customerNamed(http, 'Alpha')).city).toBe('Paris')
    expect(await customerNamed(http, 'Beta')).toBeUndefined()
  })

  it('refuses to undo an import that is still running, and changes nothing', async () => {
    const { org, api, http } = await setup()
    const { id } = await importFile(api, ['Customer name;City', 'Alpha;Paris'].join('\n'))
    await store.db
      .update(imports)
      .set({ status: 'running' })
      .where(and(eq(imports.organizationId, org.id), eq(imports.id, id)))
    const refused = await apiCall(api, 'POST', `/imports/${id}/undo`)
    expect(refused.statusCode).toBe(409)
    expect(json(refused).error.message).toMatch(/still running/)
    expect((await customerNamed(http, 'Alpha')).city).toBe('Paris')
  })
})

describe('importing rejected lines again, fixed', () => {
  const file = [
    'Customer name;Contact email;First name',
    'Alpha;not an email;Ann',
    'Beta;bob@beta.fr;Bob',
    'Gamma;also wrong;Gus',
  ].join('\n')

  it('imports only the lines fixed, linked to the first import both ways', async () => {
    const { api, http } = await setup()
    const first = await importFile(api, file, { fileName: 'people.csv' })
    expect(first.result.summary.lines.rejected).toBe(2)
    const cells = json(await apiCall(api, 'GET', `/imports/${first.id}/rejected-cells?limit=1`))
    expect(cells).toEqual({
      data: [{ line: 2, cells: ['Alpha', 'not an email', 'Ann'] }],
      nextCursor: '2',
    })
    const next = json(await apiCall(api, 'GET', `/imports/${first.id}/rejected-cells?cursor=2`))
    expect(next.data).toEqual([{ line: 4, cells: ['Gamma', 'also wrong', 'Gus'] }])
    expect(cellProblem('contact.email', 'not an email')).toMatch(/valid email/)
    expect(cellProblem('contact.email', 'ann@alpha.fr')).toBeNull()

    const res = await apiCall(api, 'POST', `/imports/${first.id}/retry`, {
      lines: [{ line: 2, values: { 'Contact email': 'ann@alpha.fr' } }],
    })
    expect(res.statusCode).toBe(202)
    const retry = await waitForImport(api, json(res).id)
    expect(retry).toMatchObject({
      status: 'completed',
      fileName: 'people - fixed lines.csv',
      retryOf: first.id,
      columns: ['Customer name', 'Contact email', 'First name'],
    })
    expect(retry.summary.lines).toMatchObject({ total: 1, created: 1, rejected: 0 })
    const linked = json(await apiCall(api, 'GET', `/imports/${first.id}`))
    expect(linked.retries).toEqual([retry.id])

    const names = (json(await http.get('/api/v1/customers?limit=200')).data as any[])
      .map((c) => c.name)
      .sort()
    expect(names).toEqual(['Alpha', 'Beta'])
    const alpha = await customerNamed(http, 'Alpha')
    const contacts = json(await http.get(`/api/v1/customers/${alpha.id}/contacts`)).data
    expect(contacts.map((c: any) => [c.email, c.firstName])).toEqual([['ann@alpha.fr', 'Ann']])
  })

  it('refuses lines of another organisation, lines not rejected and unknown columns', async () => {
    const { api } = await setup()
    const first = await importFile(api, file)
    const other = await setup()
    const count = async () => (json(await apiCall(api, 'GET', '/imports')).data as any[]).length
    const before = await count()

    const foreign = await apiCall(other.api, 'POST', `/imports/${first.id}/retry`, {
      lines: [{ line: 2, values: { 'Contact email': 'ann@alpha.fr' } }],
    })
    expect(foreign.statusCode).toBe(404)

    const notRejected = await apiCall(api, 'POST', `/imports/${first.id}/retry`, {
      lines: [{ line: 3, values: {} }],
    })
    expect(notRejected.statusCode).toBe(422)
    expect(json(notRejected).error.message).toBe('Line 3 was not rejected by this import.')

    const unknown = await apiCall(api, 'POST', `/imports/${first.id}/retry`, {
      lines: [{ line: 2, values: { Email: 'ann@alpha.fr' } }],
    })
    expect(unknown.statusCode).toBe(422)
    expect(json(unknown).error.details).toEqual([
      { path: 'lines.0.values.Email', message: '"Email" is not a column of file.csv.' },
    ])
    expect(await count()).toBe(before)
  })
})
