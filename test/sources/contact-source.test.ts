import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { auditEvents, organizations } from '../../src/platform/db/schema/index.ts'
import { client, json, newMember, newOrg, testApp, testQueue, testStore } from '../support.ts'
import { syncKit } from './helpers.ts'
import { scriptedConnectors } from './scripted.ts'

const connectors = scriptedConnectors('stripe', 'chargebee')
const store = await testStore()
const app = await testApp(store, { connectors })
const kit = syncKit(store, await testQueue(store), app, connectors)

const url = '/api/v1/organization/contact-source'

async function memberClient(org: Awaited<ReturnType<typeof newOrg>>) {
  const member = await newMember(store, org, 'account_manager', 'manager-password')
  const session = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email: member.email, password: 'manager-password' },
  })
  return client(app, { cookie: String(session.headers['set-cookie']).split(';')[0] ?? '' })
}

describe('the contact source', () => {
  it('is Roster without a connection, then the first billing connection', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    expect(json(await api.get(url))).toEqual({
      source: 'roster',
      connection: null,
      contactsDisconnected: null,
    })
    const { connection } = await kit.connected({}, 'stripe', org)
    await kit.connected({}, 'chargebee', org)
    expect(json(await api.get(url))).toEqual({
      source: 'stripe',
      connection: { id: connection.id, system: 'stripe', name: 'Stripe' },
      contactsDisconnected: null,
    })
    const listed = json(await api.get('/api/v1/connections')).data
    expect(listed.map((c: any) => [c.system, c.isContactSource])).toEqual([
      ['stripe', true],
      ['chargebee', false],
    ])
  })

  it('switches to another connection (admins), and refuses to become Roster without the disconnect', async () => {
    const { org, api } = await kit.connected()
    const chargebee = await kit.connected({}, 'chargebee', org)
    const asManager = await memberClient(org)
    expect(json(await asManager.get(url)).source).toBe('stripe')
    expect((await asManager.put(url, { connectionId: chargebee.connection.id })).statusCode).toBe(
      403,
    )
    const switched = await api.put(url, { connectionId: chargebee.connection.id })
    expect(json(switched)).toMatchObject({ source: 'chargebee' })
    const toRoster = await api.put(url, { source: 'roster' })
    expect(toRoster.statusCode).toBe(409)
    expect(json(toRoster).error.message).toBe(
      'Contacts are synced from Chargebee. Making Roster the contact source cannot be undone, so it has its own confirmed step: POST /api/v1/organization/contact-source/disconnect with {"confirm":"DISCONNECT"}.',
    )
    expect(
      (await api.put(url, { connectionId: '00000000-0000-4000-8000-000000000000' })).statusCode,
    ).toBe(404)
    expect((await api.put(url, { source: 'stripe' })).statusCode).toBe(400)
    expect(json(await api.get(url)).source).toBe('chargebee')
  })
})

describe('disconnecting contacts', () => {
  it('needs the exact confirmation, and an admin', async () => {
    const { org, api } = await kit.connected()
    for (const body of [{}, { confirm: 'disconnect' }, { confirm: 'yes' }]) {
      const res = await api.post(`${url}/disconnect`, body)
      expect(res.statusCode).toBe(400)
    }
    expect(json(await api.post(`${url}/disconnect`, { confirm: 'no' })).error.message).toContain(
      'Type DISCONNECT in "confirm": disconnecting contacts cannot be undone.',
    )
    const asManager = await memberClient(org)
    expect((await asManager.post(`${url}/disconnect`, { confirm: 'DISCONNECT' })).statusCode).toBe(
      403,
    )
    expect(json(await api.get(url)).source).toBe('stripe')
  })

  it('makes Roster the contact source for good, records who did it, and cannot be undone', async () => {
    const { org, connection } = await kit.connected()
    const admin = await newMember(store, org, 'admin', 'admin-password')
    const session = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: admin.email, password: 'admin-password' },
    })
    const api = client(app, { cookie: String(session.headers['set-cookie']).split(';')[0] ?? '' })
    const done = await api.post(`${url}/disconnect`, { confirm: 'DISCONNECT' })
    expect(done.statusCode).toBe(200)
    expect(json(done)).toEqual({
      source: 'roster',
      connection: null,
      contactsDisconnected: { at: expect.any(String), by: admin.email },
    })
    const events = await store.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.organizationId, org.id), eq(auditEvents.action, 'disconnect_contacts')),
      )
    expect(events).toMatchObject([
      {
        entity: 'organization',
        entityId: org.id,
        actorKind: 'member',
        actorId: admin.id,
        actorLabel: admin.email,
        before: { contactSource: 'stripe', connectionId: connection.id },
        after: { contactSource: 'roster' },
      },
    ])
    const back = await api.put(url, { connectionId: connection.id })
    expect(back.statusCode).toBe(409)
    expect(json(back).error.message).toMatch(
      /^Contacts were disconnected from the invoicing system on \d{4}-\d{2}-\d{2}: Roster is the contact source for good, and this cannot be undone\.$/,
    )
    expect((await api.post(`${url}/disconnect`, { confirm: 'DISCONNECT' })).statusCode).toBe(409)
    expect((await api.put(url, { source: 'roster' })).statusCode).toBe(200)
    // A new billing connection does not become the contact source either.
    await kit.connected({}, 'chargebee', org)
    expect(json(await api.get(url)).source).toBe('roster')
    const [row] = await store.db.select().from(organizations).where(eq(organizations.id, org.id))
    expect(row?.contactSourceConnectionId).toBeNull()
  })

  it('is documented in the OpenAPI document with the connections and the webhook', async () => {
    const doc = json(await app.inject({ url: '/api/openapi.json' }))
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/connectors',
        '/api/v1/connections',
        '/api/v1/connections/{id}',
        '/api/v1/connections/{id}/sync',
        '/api/v1/connections/{id}/runs',
        '/api/v1/organization/contact-source',
        '/api/v1/organization/contact-source/disconnect',
        '/webhooks/{system}/{connectionId}',
      ]),
    )
  })
})
