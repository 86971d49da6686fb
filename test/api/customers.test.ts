import { describe, expect, it } from 'vitest'
import { client, json, newMember, newOrg, testApp, testStore, type Client } from '../support.ts'

const store = await testStore()
const app = await testApp(store)

async function setup(): Promise<{ api: Client; org: Awaited<ReturnType<typeof newOrg>> }> {
  const org = await newOrg(store)
  return { api: client(app, org.key), org }
}

/** The fields every writer records for a customer: its API fields, minus bookkeeping. */
const auditKeys = (customer: Record<string, unknown>): string[] =>
  Object.keys(customer)
    .filter(
      (key) =>
        ![
          'contactsLockedBy',
          'mainContact',
          'bouncedContacts',
          'archivedAt',
          'createdAt',
          'updatedAt',
          'warnings',
        ].includes(key),
    )
    .sort()

describe('customers API', () => {
  it('creates a customer, normalising country and trimming fields', async () => {
    const { api } = await setup()
    const res = await api.post('/api/v1/customers', {
      name: '  Société Générale  ',
      externalId: 'C-1',
      country: 'Allemagne',
      currency: 'eur',
      vatNumber: ' FR123 ',
    })
    expect(res.statusCode).toBe(201)
    const body = json(res)
    expect(body).toMatchObject({
      name: 'Société Générale',
      externalId: 'C-1',
      country: 'DE',
      currency: 'EUR',
      vatNumber: 'FR123',
      source: 'roster',
      group: null,
      accountManagers: [],
      workflow: null,
      mainContact: null,
    })
    const read = await api.get(`/api/v1/customers/${body.id as string}`)
    expect(json(read)).toMatchObject({ id: body.id, country: 'DE' })
  })

  it('accepts ISO alpha-3 and English names for the country and rejects unknown ones', async () => {
    const { api } = await setup()
    expect(json(await api.post('/api/v1/customers', { name: 'A', country: 'FRA' })).country).toBe(
      'FR',
    )
    expect(
      json(await api.post('/api/v1/customers', { name: 'B', country: 'united kingdom' })).country,
    ).toBe('GB')
    const bad = await api.post('/api/v1/customers', { name: 'C', country: 'Atlantis' })
    expect(bad.statusCode).toBe(400)
    expect(json(bad).error).toMatchObject({ code: 'validation_failed' })
    expect(json(bad).error.details[0]).toMatchObject({ path: 'country' })
  })

  it('refuses a second customer with the same customer ID', async () => {
    const { api } = await setup()
    expect((await api.post('/api/v1/customers', { name: 'A', externalId: 'X-1' })).statusCode).toBe(
      201,
    )
    const res = await api.post('/api/v1/customers', { name: 'B', externalId: 'X-1' })
    expect(res.statusCode).toBe(409)
    expect(json(res).error).toMatchObject({ code: 'conflict' })
    expect(json(res).error.message).toContain('X-1')
  })

  it('lets two organisations use the same customer ID', async () => {
    const a = await setup()
    const b = await setup()
    expect(
      (await a.api.post('/api/v1/customers', { name: 'A', externalId: 'SAME' })).statusCode,
    ).toBe(201)
    expect(
      (await b.api.post('/api/v1/customers', { name: 'A', externalId: 'SAME' })).statusCode,
    ).toBe(201)
  })

  it('rejects unknown fields, naming them', async () => {
    const { api } = await setup()
    const res = await api.post('/api/v1/customers', { name: 'A', colour: 'blue', size: 3 })
    expect(res.statusCode).toBe(400)
    const { error } = json(res)
    expect(error.code).toBe('validation_failed')
    expect(error.message).toContain('colour')
    expect(error.message).toContain('size')
    expect(error.details.map((d: { path: string }) => d.path).sort()).toEqual(['colour', 'size'])
  })

  it('requires a name', async () => {
    const { api } = await setup()
    const res = await api.post('/api/v1/customers', { externalId: 'N' })
    expect(res.statusCode).toBe(400)
    expect(json(res).error.details[0].path).toBe('name')
  })

  it('patches only the given fields and clears a field with null', async () => {
    const { api } = await setup()
    const { id } = json(
      await api.post('/api/v1/customers', { name: 'A', city: 'Lyon', vatNumber: 'V' }),
    )
    const res = await api.patch(`/api/v1/customers/${id as string}`, {
      city: 'Paris',
      vatNumber: null,
    })
    expect(res.statusCode).toBe(200)
    expect(json(res)).toMatchObject({ name: 'A', city: 'Paris', vatNumber: null })
  })

  it('assigns account managers and a workflow by email and name', async () => {
    const { api, org } = await setup()
    const manager = await newMember(store, org, 'account_manager')
    await api.post('/api/v1/workflows', { name: 'Key accounts' })
    const res = await api.post('/api/v1/customers', {
      name: 'A',
      accountManagers: [manager.email.toUpperCase()],
      workflow: 'key ACCOUNTS',
    })
    expect(res.statusCode).toBe(201)
    expect(json(res)).toMatchObject({ accountManagers: [manager.email], workflow: 'Key accounts' })
  })

  it('records its history in the catalogue’s shape: names and emails, not ids', async () => {
    const { api, org } = await setup()
    const manager = await newMember(store, org, 'account_manager')
    await api.post('/api/v1/workflows', { name: 'Key accounts' })
    const group = json(await api.post('/api/v1/customers', { name: 'Group plc' }))
    const created = json(
      await api.post('/api/v1/customers', {
        name: 'A',
        groupId: group.id,
        accountManagers: [manager.email],
        workflow: 'Key accounts',
      }),
    )
    await api.patch(`/api/v1/customers/${created.id as string}`, {
      city: 'Lyon',
      accountManagers: [],
      workflow: null,
    })
    const history = json(await api.get(`/api/v1/customers/${created.id as string}/history`)).data
    expect(history.map((e: any) => e.action)).toEqual(['update', 'create'])
    for (const snapshot of [history[1].after, history[0].before, history[0].after]) {
      expect(Object.keys(snapshot).sort()).toEqual(auditKeys(created))
    }
    expect(history[1].after).toMatchObject({
      name: 'A',
      group: 'Group plc',
      accountManagers: [manager.email],
      workflow: 'Key accounts',
      source: 'roster',
    })
    expect(history[0].after).toMatchObject({ city: 'Lyon', accountManagers: [], workflow: null })
  })

  it('rejects an account manager who is not a member with that role', async () => {
    const { api, org } = await setup()
    const plain = await newMember(store, org, 'member')
    for (const email of [plain.email, 'nobody@example.com']) {
      const res = await api.post('/api/v1/customers', { name: 'A', accountManagers: [email] })
      expect(res.statusCode).toBe(400)
      expect(json(res).error.message).toBe('Account manager not found; check the email.')
      expect(json(res).error.details[0].path).toBe('accountManagers.0')
    }
  })

  it('rejects an unknown workflow with a clear reason', async () => {
    const { api } = await setup()
    const res = await api.post('/api/v1/customers', { name: 'A', workflow: 'Nope' })
    expect(res.statusCode).toBe(400)
    expect(json(res).error.message).toContain('Workflow "Nope" not found')
  })

  it('groups subsidiaries under a parent customer and refuses loops', async () => {
    const { api } = await setup()
    const parent = json(await api.post('/api/v1/customers', { name: 'Holding', externalId: 'H' }))
    const child = json(await api.post('/api/v1/customers', { name: 'Sub', groupId: parent.id }))
    expect(child.group).toEqual({ id: parent.id, name: 'Holding', externalId: 'H' })
    const loop = await api.patch(`/api/v1/customers/${parent.id as string}`, { groupId: child.id })
    expect(loop.statusCode).toBe(400)
    const filtered = json(await api.get(`/api/v1/customers?group=${parent.id as string}`))
    expect(filtered.data.map((c: { name: string }) => c.name)).toEqual(['Sub'])
    // Deleting the group keeps the subsidiary, outside any group.
    expect((await api.delete(`/api/v1/customers/${parent.id as string}`)).statusCode).toBe(204)
    expect(json(await api.get(`/api/v1/customers/${child.id as string}`)).group).toBeNull()
  })

  it('pages through customers by name with a cursor', async () => {
    const { api } = await setup()
    const names = Array.from({ length: 7 }, (_, i) => `Customer ${String.fromCharCode(71 - i)}`)
    for (const name of names) await api.post('/api/v1/customers', { name })
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const url: string = `/api/v1/customers?limit=3${cursor ? `&cursor=${cursor}` : ''}`
      const body = json(await api.get(url))
      seen.push(...body.data.map((c: { name: string }) => c.name))
      cursor = body.nextCursor
      pages++
    } while (cursor)
    expect(pages).toBe(3)
    expect(seen).toEqual([...names].sort())
    const bad = await api.get('/api/v1/customers?cursor=garbage')
    expect(bad.statusCode).toBe(400)
  })

  it('searches names, customer IDs and contact emails', async () => {
    const { api } = await setup()
    const a = json(await api.post('/api/v1/customers', { name: 'Alpha Corp', externalId: 'ZZ-9' }))
    await api.post('/api/v1/customers', { name: 'Beta' })
    const c = json(await api.post('/api/v1/customers', { name: 'Gamma' }))
    await api.post(`/api/v1/customers/${c.id as string}/contacts`, {
      email: 'billing@needle.example',
    })
    const names = async (q: string) =>
      json(await api.get(`/api/v1/customers?q=${encodeURIComponent(q)}`)).data.map(
        (x: { name: string }) => x.name,
      )
    expect(await names('alpha')).toEqual(['Alpha Corp'])
    expect(await names('zz-9')).toEqual(['Alpha Corp'])
    expect(await names('NEEDLE')).toEqual(['Gamma'])
    expect(await names('%')).toEqual([])
    expect(a.name).toBe('Alpha Corp')
  })

  it('filters by account manager and by workflow', async () => {
    const { api, org } = await setup()
    const manager = await newMember(store, org, 'account_manager')
    await api.post('/api/v1/workflows', { name: 'Gentle' })
    await api.post('/api/v1/customers', { name: 'Managed', accountManagers: [manager.email] })
    await api.post('/api/v1/customers', { name: 'Gentle one', workflow: 'Gentle' })
    await api.post('/api/v1/customers', { name: 'Other' })
    const byManager = json(await api.get(`/api/v1/customers?accountManager=${manager.email}`))
    expect(byManager.data.map((c: { name: string }) => c.name)).toEqual(['Managed'])
    const byId = json(await api.get(`/api/v1/customers?accountManager=${manager.id}`))
    expect(byId.data).toHaveLength(1)
    const byWorkflow = json(await api.get('/api/v1/customers?workflow=gentle'))
    expect(byWorkflow.data.map((c: { name: string }) => c.name)).toEqual(['Gentle one'])
  })

  it('keeps an audit trail of every change with who made it', async () => {
    const { api } = await setup()
    const { id } = json(await api.post('/api/v1/customers', { name: 'A', city: 'Lyon' }))
    await api.patch(`/api/v1/customers/${id as string}`, { city: 'Paris' })
    await api.patch(`/api/v1/customers/${id as string}`, { city: 'Paris' })
    const contact = json(
      await api.post(`/api/v1/customers/${id as string}/contacts`, { email: 'a@b.co' }),
    )
    const history = json(await api.get(`/api/v1/customers/${id as string}/history`)).data
    expect(
      history.map((e: { entity: string; action: string }) => `${e.entity}:${e.action}`),
    ).toEqual(['contact:create', 'customer:update', 'customer:create'])
    expect(history[1]).toMatchObject({
      before: { city: 'Lyon' },
      after: { city: 'Paris' },
      actor: { kind: 'api_key', label: 'API key test' },
    })
    expect(history[0].after).toMatchObject({ id: contact.id, email: 'a@b.co' })
  })

  it('deletes a customer with its contacts', async () => {
    const { api } = await setup()
    const { id } = json(await api.post('/api/v1/customers', { name: 'A' }))
    const contact = json(
      await api.post(`/api/v1/customers/${id as string}/contacts`, { email: 'x@y.co' }),
    )
    expect((await api.delete(`/api/v1/customers/${id as string}`)).statusCode).toBe(204)
    expect((await api.get(`/api/v1/customers/${id as string}`)).statusCode).toBe(404)
    expect((await api.get(`/api/v1/contacts/${contact.id as string}`)).statusCode).toBe(404)
    const history = json(await api.get(`/api/v1/customers/${id as string}/history`)).data
    expect(history[0]).toMatchObject({ action: 'delete', after: null })
  })
})
