import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { BULK_FILTER_LIMIT } from '../../src/contracts/customers.ts'
import { connections, customers } from '../../src/platform/db/schema/index.ts'
import { client, json, newMember, newOrg, testApp, testStore, type Client } from '../support.ts'

const store = await testStore()
const app = await testApp(store)

async function setup(): Promise<{ api: Client; org: Awaited<ReturnType<typeof newOrg>> }> {
  const org = await newOrg(store)
  return { api: client(app, org.key), org }
}

const names = async (api: Client, query = ''): Promise<string[]> =>
  json(await api.get(`/api/v1/customers?${query}`)).data.map((c: { name: string }) => c.name)

async function create(api: Client, name: string, extra: object = {}): Promise<string> {
  const res = await api.post('/api/v1/customers', { name, ...extra })
  expect(res.statusCode).toBe(201)
  return json(res).id as string
}

async function synced(orgId: string, id: string): Promise<void> {
  const [connection] = await store.db
    .insert(connections)
    .values({ organizationId: orgId, system: 'stripe', name: 'Stripe' })
    .returning()
  await store.db
    .update(customers)
    .set({ sourceConnectionId: connection?.id })
    .where(eq(customers.id, id))
}

describe('archiving customers', () => {
  it('hides an archived customer from the list and the search, keeps it with its history, and restores it', async () => {
    const { api } = await setup()
    const id = await create(api, 'Acme')
    await create(api, 'Globex')
    await api.post(`/api/v1/customers/${id}/contacts`, { email: 'ap@acme.example' })
    const archived = await api.post(`/api/v1/customers/${id}/archive`, {})
    expect(archived.statusCode).toBe(200)
    expect(json(archived)).toMatchObject({ name: 'Acme', archivedAt: expect.any(String) })
    expect(await names(api)).toEqual(['Globex'])
    expect(await names(api, 'q=ap@acme')).toEqual([])
    expect(await names(api, 'archived=true')).toEqual(['Acme'])
    // Still readable, with its contacts and history, but not changeable until restored.
    expect(json(await api.get(`/api/v1/customers/${id}`)).archivedAt).toEqual(expect.any(String))
    expect(json(await api.get(`/api/v1/customers/${id}/contacts`)).data).toHaveLength(1)
    const edit = await api.patch(`/api/v1/customers/${id}`, { city: 'Paris' })
    expect(edit.statusCode).toBe(409)
    expect(json(edit).error.message).toContain('is archived: restore it')

    const restored = json(await api.post(`/api/v1/customers/${id}/restore`, {}))
    expect(restored.archivedAt).toBeNull()
    expect(await names(api)).toEqual(['Acme', 'Globex'])
    const history = json(await api.get(`/api/v1/customers/${id}/history`)).data
    expect(history.map((e: { action: string }) => e.action).slice(0, 2)).toEqual([
      'restore',
      'archive',
    ])
    expect(history[1]).toMatchObject({ actor: { kind: 'api_key' }, before: { name: 'Acme' } })
  })

  it('refuses to archive a customer synced from a source, which archives it itself', async () => {
    const { api, org } = await setup()
    const id = await create(api, 'Synced')
    await synced(org.id, id)
    const res = await api.post(`/api/v1/customers/${id}/archive`, {})
    expect(res.statusCode).toBe(409)
    expect(json(res).error.message).toBe(
      'Synced is synced from Stripe: archive it there; Roster follows at the next sync.',
    )
    expect(await names(api)).toEqual(['Synced'])
  })

  it('answers 404 for another organisation’s customer', async () => {
    const { api } = await setup()
    const other = await setup()
    const theirs = await create(other.api, 'Theirs')
    expect((await api.post(`/api/v1/customers/${theirs}/archive`, {})).statusCode).toBe(404)
    expect(await names(other.api)).toEqual(['Theirs'])
  })
})

describe('deleting a customer', () => {
  it('deletes an archived customer too, and then it is gone', async () => {
    const { api } = await setup()
    const id = await create(api, 'Old')
    await api.post(`/api/v1/customers/${id}/archive`, {})
    expect((await api.delete(`/api/v1/customers/${id}`)).statusCode).toBe(204)
    expect((await api.get(`/api/v1/customers/${id}`)).statusCode).toBe(404)
    expect(await names(api, 'archived=true')).toEqual([])
  })
})

describe('bulk actions on selected customers', () => {
  it('assigns account managers and a workflow to a selection, with a history entry each', async () => {
    const { api, org } = await setup()
    const manager = await newMember(store, org, 'account_manager')
    await api.post('/api/v1/workflows', { name: 'Gentle' })
    const a = await create(api, 'A')
    const b = await create(api, 'B')
    const c = await create(api, 'C')
    const res = await api.post('/api/v1/customers/bulk', {
      action: 'assign',
      ids: [a, b],
      accountManagers: [manager.email],
      workflow: 'Gentle',
    })
    expect(res.statusCode).toBe(200)
    expect(json(res)).toEqual({ updated: 2 })
    const list = json(await api.get('/api/v1/customers')).data
    expect(
      list.map((x: { name: string; accountManagers: string[]; workflow: string | null }) => [
        x.name,
        x.accountManagers,
        x.workflow,
      ]),
    ).toEqual([
      ['A', [manager.email], 'Gentle'],
      ['B', [manager.email], 'Gentle'],
      ['C', [], null],
    ])
    const history = json(await api.get(`/api/v1/customers/${b}/history`)).data
    expect(history[0]).toMatchObject({
      action: 'update',
      before: { workflow: null, accountManagers: [] },
      after: { workflow: 'Gentle', accountManagers: [manager.email] },
    })
    // Only the workflow: the account managers stay.
    await api.post('/api/v1/customers/bulk', { action: 'assign', ids: [a, c], workflow: null })
    expect(json(await api.get(`/api/v1/customers/${a}`))).toMatchObject({
      workflow: null,
      accountManagers: [manager.email],
    })
  })

  it('changes nothing when one customer of the selection is refused, and names it', async () => {
    const { api, org } = await setup()
    const a = await create(api, 'A')
    const b = await create(api, 'Synced B')
    await synced(org.id, b)
    const res = await api.post('/api/v1/customers/bulk', { action: 'archive', ids: [a, b] })
    expect(res.statusCode).toBe(409)
    expect(json(res).error).toMatchObject({
      message: 'Synced B is synced from Stripe: archive it there; Roster follows at the next sync.',
      details: [{ path: 'ids.1', message: 'Synced from Stripe.' }],
    })
    expect(await names(api)).toEqual(['A', 'Synced B'])
    const badManager = await api.post('/api/v1/customers/bulk', {
      action: 'assign',
      ids: [a],
      accountManagers: ['nobody@example.com'],
    })
    expect(badManager.statusCode).toBe(400)
    expect(json(badManager).error.message).toBe('Account manager not found; check the email.')
    const unknown = await api.post('/api/v1/customers/bulk', {
      action: 'archive',
      ids: [a, '00000000-0000-4000-8000-000000000000'],
    })
    expect(unknown.statusCode).toBe(404)
    expect(await names(api)).toEqual(['A', 'Synced B'])
  })

  it('archives and restores a selection in one go', async () => {
    const { api } = await setup()
    const ids = [await create(api, 'A'), await create(api, 'B')]
    await create(api, 'C')
    expect(json(await api.post('/api/v1/customers/bulk', { action: 'archive', ids }))).toEqual({
      updated: 2,
    })
    expect(await names(api)).toEqual(['C'])
    expect(json(await api.post('/api/v1/customers/bulk', { action: 'restore', ids }))).toEqual({
      updated: 2,
    })
    expect(await names(api)).toEqual(['A', 'B', 'C'])
  })

  it('refuses an empty selection, an unknown action and an assignment of nothing', async () => {
    const { api } = await setup()
    const id = await create(api, 'A')
    for (const [body, message] of [
      [{ action: 'archive', ids: [] }, 'Select at least one customer.'],
      [{ action: 'explode', ids: [id] }, 'Action is assign, archive or restore.'],
      [{ action: 'assign', ids: [id] }, 'Give the account managers or the workflow to assign.'],
    ] as const) {
      const res = await api.post('/api/v1/customers/bulk', body)
      expect(res.statusCode).toBe(400)
      expect(JSON.stringify(json(res).error)).toContain(message)
    }
  })
})

describe('bulk actions on every customer a filter finds ("select all matching")', () => {
  it('counts the customers a search finds and assigns a workflow to all of them, not the others', async () => {
    const { api } = await setup()
    await api.post('/api/v1/workflows', { name: 'Firm' })
    for (const name of ['Acme Paris', 'Acme Lyon', 'Acmé Nice']) await create(api, name)
    await create(api, 'Globex')
    const archived = await create(api, 'Acme Old')
    await api.post(`/api/v1/customers/${archived}/archive`, {})
    const count = await api.get('/api/v1/customers/count?q=acme')
    expect(count.statusCode).toBe(200)
    expect(json(count)).toEqual({ customers: 3 })
    expect(json(await api.get('/api/v1/customers/count'))).toEqual({ customers: 4 })
    expect(json(await api.get('/api/v1/customers/count?archived=true'))).toEqual({ customers: 1 })

    const res = await api.post('/api/v1/customers/bulk', {
      action: 'assign',
      filter: { q: 'acme' },
      workflow: 'Firm',
    })
    expect(res.statusCode).toBe(200)
    expect(json(res)).toEqual({ updated: 3 })
    const list = json(await api.get('/api/v1/customers')).data as {
      name: string
      workflow: string | null
    }[]
    expect(list.map((c) => [c.name, c.workflow])).toEqual([
      ['Acme Lyon', 'Firm'],
      ['Acme Paris', 'Firm'],
      ['Acmé Nice', 'Firm'],
      ['Globex', null],
    ])
    // The archived one is not in the list the filter describes.
    expect(json(await api.get(`/api/v1/customers/${archived}`)).workflow).toBeNull()
  })

  it('archives what a filter finds and restores it from the archived list', async () => {
    const { api, org } = await setup()
    const manager = await newMember(store, org, 'account_manager')
    await create(api, 'Mine 1', { accountManagers: [manager.email] })
    await create(api, 'Mine 2', { accountManagers: [manager.email] })
    await create(api, 'Other')
    const archive = await api.post('/api/v1/customers/bulk', {
      action: 'archive',
      filter: { accountManager: manager.email },
    })
    expect(json(archive)).toEqual({ updated: 2 })
    expect(await names(api)).toEqual(['Other'])
    const restore = await api.post('/api/v1/customers/bulk', {
      action: 'restore',
      filter: { accountManager: manager.email, archived: true },
    })
    expect(json(restore)).toEqual({ updated: 2 })
    expect(await names(api)).toEqual(['Mine 1', 'Mine 2', 'Other'])
  })

  it('does nothing for a filter that finds nobody, and refuses ids with a filter or neither', async () => {
    const { api } = await setup()
    const id = await create(api, 'A')
    const none = await api.post('/api/v1/customers/bulk', {
      action: 'archive',
      filter: { q: 'nothing like this' },
    })
    expect(none.statusCode).toBe(200)
    expect(json(none)).toEqual({ updated: 0 })
    expect(json(await api.get('/api/v1/customers/count?q=nothing+like+this'))).toEqual({
      customers: 0,
    })
    for (const body of [
      { action: 'archive', ids: [id], filter: { q: 'A' } },
      { action: 'archive' },
    ]) {
      const res = await api.post('/api/v1/customers/bulk', body)
      expect(res.statusCode).toBe(400)
      expect(json(res).error.message).toContain(
        'Give either the ids of the customers or the filter that finds them.',
      )
    }
    const unknownFilter = await api.post('/api/v1/customers/bulk', {
      action: 'archive',
      filter: { colour: 'red' },
    })
    expect(unknownFilter.statusCode).toBe(400)
    expect(await names(api)).toEqual(['A'])
  })

  it('changes nothing when a customer the filter finds is refused', async () => {
    const { api, org } = await setup()
    await create(api, 'Acme A')
    const b = await create(api, 'Acme B')
    await synced(org.id, b)
    const res = await api.post('/api/v1/customers/bulk', {
      action: 'archive',
      filter: { q: 'acme' },
    })
    expect(res.statusCode).toBe(409)
    expect(json(res).error.message).toContain('Acme B is synced from Stripe')
    expect(await names(api)).toEqual(['Acme A', 'Acme B'])
  })

  it('refuses a filter that finds more customers than one bulk action changes, changing none', async () => {
    const { api, org } = await setup()
    const rows = Array.from({ length: BULK_FILTER_LIMIT + 1 }, (_, i) => ({
      organizationId: org.id,
      name: `Many ${String(i).padStart(5, '0')}`,
    }))
    await store.db.insert(customers).values(rows)
    const res = await api.post('/api/v1/customers/bulk', {
      action: 'archive',
      filter: { q: 'many' },
    })
    expect(res.statusCode).toBe(400)
    expect(json(res).error.message).toContain('narrow the search or filters')
    expect(json(await api.get('/api/v1/customers/count?q=many'))).toEqual({
      customers: BULK_FILTER_LIMIT + 1,
    })
    expect(json(await api.get('/api/v1/customers/count?archived=true'))).toEqual({ customers: 0 })
  })
})
