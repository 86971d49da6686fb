import { inArray, sql, type SQL } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { recordSources, sourceSystems } from '../../src/contracts/customers.ts'
import { connections, customers, sourceSystem } from '../../src/platform/db/schema/index.ts'
import { client, json, newOrg, testApp, testStore, type Client } from '../support.ts'

const store = await testStore()
const app = await testApp(store)

async function setup(): Promise<{ api: Client; orgId: string }> {
  const org = await newOrg(store)
  return { api: client(app, org.key), orgId: org.id }
}

/** Every customer of the list, following `nextCursor` page after page. */
async function readAll(api: Client, query: string, limit = 2): Promise<string[]> {
  const names: string[] = []
  let cursor: string | null = null
  do {
    const url: string = `/api/v1/customers?limit=${limit}&${query}${cursor ? `&cursor=${cursor}` : ''}`
    const res = await api.get(url)
    expect(res.statusCode).toBe(200)
    const body = json(res)
    names.push(...body.data.map((c: { name: string }) => c.name))
    cursor = body.nextCursor
  } while (cursor)
  return names
}

describe('customers list orders and source filter', () => {
  it('sorts by customer ID both ways, customers without one last, across pages', async () => {
    const { api } = await setup()
    for (const [name, externalId] of [
      ['Delta', 'C-2'],
      ['Alpha', null],
      ['Echo', 'C-10'],
      ['Bravo', 'C-1'],
      ['Charlie', null],
    ] as const) {
      await api.post('/api/v1/customers', { name, externalId })
    }
    const noId = (names: string[]) => names.slice(3).sort()
    const ascending = await readAll(api, 'sort=externalId')
    expect(ascending.slice(0, 3)).toEqual(['Bravo', 'Echo', 'Delta'])
    expect(noId(ascending)).toEqual(['Alpha', 'Charlie'])
    const descending = await readAll(api, 'sort=-externalId')
    expect(descending.slice(0, 3)).toEqual(['Delta', 'Echo', 'Bravo'])
    expect(noId(descending)).toEqual(['Alpha', 'Charlie'])
    // One page at a time or all at once, the same customers in the same order.
    expect(await readAll(api, 'sort=-externalId', 50)).toEqual(descending)
  })

  it('sorts by name descending and by creation, newest first', async () => {
    const { api } = await setup()
    for (const name of ['Bravo', 'alpha', 'Charlie', 'delta']) {
      await api.post('/api/v1/customers', { name })
    }
    expect(await readAll(api, 'sort=-name')).toEqual(['delta', 'Charlie', 'Bravo', 'alpha'])
    expect(await readAll(api, 'sort=-createdAt')).toEqual(['delta', 'Charlie', 'alpha', 'Bravo'])
    expect(await readAll(api, 'sort=createdAt')).toEqual(['Bravo', 'alpha', 'Charlie', 'delta'])
  })

  it('keeps customers created in the same millisecond apart when paging by creation', async () => {
    const { api, orgId } = await setup()
    const at = new Date('2025-01-02T03:04:05.678Z')
    await store.db
      .insert(customers)
      .values(
        ['A', 'B', 'C', 'D', 'E'].map((name) => ({ organizationId: orgId, name, createdAt: at })),
      )
    expect((await readAll(api, 'sort=createdAt')).sort()).toEqual(['A', 'B', 'C', 'D', 'E'])
  })

  it('refuses a cursor given out for another order, and an unknown order', async () => {
    const { api } = await setup()
    for (const name of ['A', 'B', 'C']) await api.post('/api/v1/customers', { name })
    const { nextCursor } = json(await api.get('/api/v1/customers?limit=1&sort=name'))
    const mixed = await api.get(`/api/v1/customers?sort=-createdAt&cursor=${nextCursor as string}`)
    expect(mixed.statusCode).toBe(400)
    expect(json(mixed).error.message).toBe('The cursor is not one this API gave out.')
    const unknown = await api.get('/api/v1/customers?sort=city')
    expect(unknown.statusCode).toBe(400)
    expect(json(unknown).error.message).toContain('Sort by one of name, -name')
  })

  it('filters by source: Roster or a connected system', async () => {
    const { api, orgId } = await setup()
    const [stripe] = await store.db
      .insert(connections)
      .values({ organizationId: orgId, system: 'stripe', name: 'Stripe' })
      .returning()
    for (const name of ['Mine', 'Synced 1', 'Synced 2']) {
      await api.post('/api/v1/customers', { name })
    }
    await store.db
      .update(customers)
      .set({ sourceConnectionId: stripe?.id })
      .where(inArray(customers.name, ['Synced 1', 'Synced 2']))
    expect(await readAll(api, 'source=stripe')).toEqual(['Synced 1', 'Synced 2'])
    expect(await readAll(api, 'source=roster')).toEqual(['Mine'])
    expect(await readAll(api, 'source=xero')).toEqual([])
    const listed = json(await api.get('/api/v1/customers?source=stripe')).data
    expect(listed[0].source).toBe('stripe')
    const bad = await api.get('/api/v1/customers?source=excel')
    expect(bad.statusCode).toBe(400)
    expect(json(bad).error.message).toContain('Source must be one of roster, chargebee')
  })

  it('names the same systems as the store', () => {
    expect([...sourceSystems]).toEqual(sourceSystem.enumValues)
    expect(recordSources[0]).toBe('roster')
  })
})

describe('customers search', () => {
  const names = async (api: Client, q: string): Promise<string[]> =>
    json(await api.get(`/api/v1/customers?q=${encodeURIComponent(q)}`))
      .data.map((c: { name: string }) => c.name)
      .sort()

  it('finds a customer by its contacts’ first and last names, ignoring accents and case', async () => {
    const { api } = await setup()
    const societe = json(await api.post('/api/v1/customers', { name: 'Société Générale' }))
    await api.post(`/api/v1/customers/${societe.id as string}/contacts`, {
      email: 'ap@sg.example',
      firstName: 'Élodie',
      lastName: 'Durand',
    })
    const other = json(await api.post('/api/v1/customers', { name: 'Crème Brûlée SARL' }))
    await api.post(`/api/v1/customers/${other.id as string}/contacts`, {
      email: 'elo@creme.example',
      firstName: 'Marc',
      lastName: 'Lefèvre',
    })
    expect(await names(api, 'elodie')).toEqual(['Société Générale'])
    expect(await names(api, 'ÉLODIE DURAND')).toEqual(['Société Générale'])
    expect(await names(api, 'lefevre')).toEqual(['Crème Brûlée SARL'])
    expect(await names(api, 'societe generale')).toEqual(['Société Générale'])
    expect(await names(api, 'CREME brulee')).toEqual(['Crème Brûlée SARL'])
    // "elo" is in a first name and in an email: each customer once.
    expect(await names(api, 'elo')).toEqual(['Crème Brûlée SARL', 'Société Générale'])
    expect(await names(api, 'nobody')).toEqual([])
  })

  it('leaves out archived contacts', async () => {
    const { api } = await setup()
    const customer = json(await api.post('/api/v1/customers', { name: 'Acme' }))
    const contact = json(
      await api.post(`/api/v1/customers/${customer.id as string}/contacts`, {
        email: 'x@acme.example',
        lastName: 'Zoë',
      }),
    )
    expect(await names(api, 'zoe')).toEqual(['Acme'])
    await api.delete(`/api/v1/contacts/${contact.id as string}`)
    expect(await names(api, 'zoe')).toEqual([])
  })

  it('can read the folded names through their trigram indexes', async () => {
    const plans = await store.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`)
      const read = async (query: SQL) =>
        (await tx.execute<{ 'QUERY PLAN': string }>(sql`explain ${query}`)).rows
          .map((row) => row['QUERY PLAN'])
          .join('\n')
      return [
        await read(sql`select id from customers where roster_fold(name) like '%elodie%'`),
        await read(
          sql`select id from contacts where roster_fold(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) like '%elodie%'`,
        ),
      ]
    })
    expect(plans[0]).toContain('customers_name_fold_trgm_idx')
    expect(plans[1]).toContain('contacts_name_fold_trgm_idx')
  })
})
