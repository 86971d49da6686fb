import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { findRun, moveRun } from '../../src/modules/sources/sync/runs.service.ts'
import { auditEvents } from '../../src/platform/db/schema/index.ts'
import { json, testApp, testQueue, testStore } from '../support.ts'
import { customerByExternalId, customersOf, syncKit } from './helpers.ts'
import { contact, customer, scriptedConnectors } from './scripted.ts'

const connectors = scriptedConnectors('stripe', 'chargebee')
const store = await testStore()
const app = await testApp(store, { connectors })
const kit = syncKit(store, await testQueue(store), app, connectors)

const acme = () =>
  customer('cus_acme', {
    name: 'Acme',
    city: 'Lyon',
    country: 'FR',
    currency: 'EUR',
    contacts: [
      contact('ct_1', 'ap@acme.example', { firstName: 'Ann', isMain: true, role: 'ACCOUNTING' }),
      contact('ct_2', 'boss@acme.example', { lastName: 'Boss', phone: '04 72 00 00 00' }),
    ],
  })

describe('a full run', () => {
  it('follows every page and brings customers with their main and additional contacts', async () => {
    const { org, source, connection, api } = await kit.connected({
      pageSize: 2,
      customers: [
        acme(),
        customer('cus_b'),
        customer('cus_c'),
        customer('cus_d'),
        customer('cus_e'),
      ],
    })
    const run = await kit.runQueued(org, connection.id)
    expect(run).toMatchObject({
      status: 'completed',
      mode: 'full',
      pages: 3,
      created: 5,
      updated: 0,
      archived: 0,
      skipped: 0,
    })
    expect(source.requests).toHaveLength(3)
    const synced = await customerByExternalId(api, 'cus_acme')
    expect(synced).toMatchObject({
      name: 'Acme',
      city: 'Lyon',
      country: 'FR',
      currency: 'EUR',
      source: 'stripe',
      mainContact: { email: 'ap@acme.example', firstName: 'Ann' },
    })
    expect(synced.contacts).toMatchObject([
      {
        email: 'ap@acme.example',
        isMain: true,
        role: 'ACCOUNTING',
        externalId: 'ct_1',
        source: 'stripe',
      },
      { email: 'boss@acme.example', isMain: false, phone: '+33472000000', source: 'stripe' },
    ])
    const stored = await kit.connectionRow(org, connection.id)
    expect(stored.cursor).toEqual({ since: 5 })
    expect(stored.lastFullSyncAt).toEqual(run?.startedAt)
    const history = json(await api.get(`/api/v1/customers/${synced.id as string}/history`)).data
    expect(history.map((e: any) => [e.entity, e.action, e.actor.label])).toEqual(
      expect.arrayContaining([
        ['customer', 'create', 'Stripe sync'],
        ['contact', 'create', 'Stripe sync'],
      ]),
    )
  })

  it('changes nothing and counts nothing when nothing changed at the source', async () => {
    const { org, connection } = await kit.connected({ customers: [acme(), customer('cus_b')] })
    await kit.runQueued(org, connection.id)
    const audited = await store.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.organizationId, org.id))
    const again = await kit.sync(org, connection.id, { full: true })
    expect(again).toMatchObject({ status: 'completed', created: 0, updated: 0, archived: 0 })
    const after = await store.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.organizationId, org.id))
    expect(after).toHaveLength(audited.length)
  })

  it("archives the connection's customers it no longer lists, and hides them from lists", async () => {
    const { org, source, connection, api } = await kit.connected({
      customers: [acme(), customer('cus_b'), customer('cus_c')],
    })
    await kit.runQueued(org, connection.id)
    const gone = await customerByExternalId(api, 'cus_acme')
    source.forget('cus_acme')
    const run = await kit.sync(org, connection.id, { full: true })
    expect(run).toMatchObject({ status: 'completed', archived: 1, created: 0, updated: 0 })
    expect((await customersOf(api)).map((c) => c.externalId)).toEqual(['cus_b', 'cus_c'])
    expect(json(await api.get(`/api/v1/customers/${gone.id as string}`)).archivedAt).toEqual(
      expect.any(String),
    )
    expect((await api.get(`/api/v1/contacts/${gone.contacts[0].id as string}`)).statusCode).toBe(
      404,
    )
    const history = json(await api.get(`/api/v1/customers/${gone.id as string}/history`)).data
    expect(history.filter((e: any) => e.action === 'archive')).toHaveLength(3)
  })

  it('archives nothing when the listing comes back empty, and says why', async () => {
    const { org, source, connection, api } = await kit.connected({ customers: [customer('cus_1')] })
    await kit.runQueued(org, connection.id)
    source.forget('cus_1')
    const run = await kit.sync(org, connection.id, { full: true })
    expect(run).toMatchObject({ status: 'completed', archived: 0, skipped: 0 })
    expect(run?.errors).toEqual([
      {
        externalId: null,
        reason:
          'Stripe listed no customers at all, so none was archived; check that the connection points at the right account.',
      },
    ])
    expect(await customersOf(api)).toHaveLength(1)
  })

  it('resumes after a crash from the cursor of the last page applied', async () => {
    const { org, source, connection, api } = await kit.connected({
      pageSize: 2,
      customers: [
        acme(),
        customer('cus_b'),
        customer('cus_c'),
        customer('cus_d'),
        customer('cus_e'),
      ],
    })
    await expect(
      kit.runQueued(org, connection.id, {
        afterPage: (pages) => {
          if (pages === 2) throw new Error('the worker died')
        },
      }),
    ).rejects.toThrow('the worker died')
    const [interrupted] = await kit.runs(org, connection.id)
    expect(interrupted).toMatchObject({ status: 'running', pages: 2, created: 4 })
    expect((await kit.connectionRow(org, connection.id)).cursor).toEqual({
      since: 5,
      after: 'cus_d',
    })
    const resumed = await kit.runQueued(org, connection.id)
    expect(resumed).toMatchObject({
      id: interrupted?.id,
      status: 'completed',
      created: 5,
      archived: 0,
    })
    expect(source.requests.map((r) => r.cursor)).toEqual([null, null, { since: 5, after: 'cus_d' }])
    expect(await customersOf(api)).toHaveLength(5)
  })
})

describe("a customer's parent at the source", () => {
  it('puts sub-customers in their parent’s group, a parent listed on a later page included; null takes one out, no parent given leaves it', async () => {
    const { org, source, connection, api } = await kit.connected({
      // Listed by id, two a page: a_sub's parent comes on the last page.
      pageSize: 2,
      customers: [
        customer('a_sub', { parentExternalId: 'z_parent' }),
        customer('cus_a'),
        customer('sub_2', { parentExternalId: 'cus_a' }),
        customer('cus_b', { parentExternalId: 'nowhere' }),
        customer('z_parent', { name: 'Zeta Holding' }),
      ],
    })
    expect(await kit.runQueued(org, connection.id)).toMatchObject({
      status: 'completed',
      pages: 3,
      created: 5,
      updated: 0,
    })
    const group = async (id: string) => (await customerByExternalId(api, id))?.group ?? null
    expect(await group('a_sub')).toMatchObject({ name: 'Zeta Holding', externalId: 'z_parent' })
    expect(await group('sub_2')).toMatchObject({ externalId: 'cus_a' })
    expect(await group('cus_b')).toBeNull()
    expect(await group('z_parent')).toBeNull()

    source.put(customer('sub_2', { parentExternalId: null }))
    source.put(customer('a_sub', { name: 'Renamed sub' }))
    await api.post(`/api/v1/connections/${connection.id}/sync`, {})
    expect(await kit.runQueued(org, connection.id)).toMatchObject({ status: 'completed' })
    expect(await group('sub_2')).toBeNull()
    expect(await group('a_sub')).toMatchObject({ externalId: 'z_parent' })
  })
})

describe('an incremental run', () => {
  it('applies only what changed since the stored cursor, and counts real changes', async () => {
    const { org, source, connection, api } = await kit.connected({
      customers: [acme(), customer('cus_b'), customer('cus_c')],
    })
    await kit.runQueued(org, connection.id)
    source.put({ ...acme(), city: 'Paris' })
    source.put(customer('cus_new'))
    source.put(customer('cus_b'))
    source.requests.length = 0
    const run = await kit.sync(org, connection.id)
    expect(run).toMatchObject({ mode: 'incremental', created: 1, updated: 1, archived: 0 })
    expect(source.requests[0]).toEqual({ mode: 'incremental', cursor: { since: 3 } })
    expect((await customerByExternalId(api, 'cus_acme')).city).toBe('Paris')
    expect((await kit.connectionRow(org, connection.id)).cursor).toEqual({ since: 6 })
  })

  it('archives a customer deleted at the source with its contacts, and restores it when it comes back', async () => {
    const { org, source, connection, api } = await kit.connected({ customers: [acme()] })
    await kit.runQueued(org, connection.id)
    const before = await customerByExternalId(api, 'cus_acme')
    source.remove('cus_acme')
    expect(await kit.sync(org, connection.id)).toMatchObject({ archived: 1, updated: 0 })
    expect(await customersOf(api)).toEqual([])
    source.put(acme())
    expect(await kit.sync(org, connection.id)).toMatchObject({ created: 0, updated: 1 })
    const back = await customerByExternalId(api, 'cus_acme')
    expect(back.id).toBe(before.id)
    expect(back.contacts.map((c: any) => [c.id, c.isMain])).toEqual(
      before.contacts.map((c: any) => [c.id, c.isMain]),
    )
    const actions = json(
      await api.get(`/api/v1/customers/${before.id as string}/history`),
    ).data.map((e: any) => `${e.entity} ${e.action}`)
    expect(actions.filter((a: string) => a.endsWith('restore'))).toHaveLength(3)
  })

  it('records its changes in the same shape as the API: the source by name, no ids', async () => {
    const { org, source, connection, api } = await kit.connected({ customers: [acme()] })
    await kit.runQueued(org, connection.id)
    source.put(customer('cus_acme', { ...acme(), city: 'Paris' }))
    expect(await kit.sync(org, connection.id)).toMatchObject({ updated: 1 })
    const synced = await customerByExternalId(api, 'cus_acme')
    const history = json(await api.get(`/api/v1/customers/${synced.id as string}/history`)).data
    const changes = history.filter((e: any) => e.entity === 'customer')
    expect(changes.map((e: any) => e.action)).toEqual(['update', 'create'])
    const keys = Object.keys(synced)
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
    for (const snapshot of [changes[1].after, changes[0].before, changes[0].after]) {
      expect(Object.keys(snapshot).sort()).toEqual(keys)
    }
    expect(changes[0].before).toMatchObject({ city: 'Lyon', source: 'stripe' })
    expect(changes[0].after).toMatchObject({
      city: 'Paris',
      group: null,
      accountManagers: [],
      workflow: null,
      source: synced.source,
    })
    const contactEvent = history.find((e: any) => e.entity === 'contact')
    expect(Object.keys(contactEvent.after).sort()).toEqual([
      'customerId',
      'email',
      'emailOptedOut',
      'externalId',
      'firstName',
      'id',
      'isMain',
      'jobTitle',
      'lastName',
      'phone',
      'role',
      'source',
    ])
    expect(contactEvent.after.source).toBe('stripe')
  })

  it('makes a full run of an incremental one whose cursor the source no longer knows', async () => {
    const { org, source, connection } = await kit.connected({ customers: [acme()] })
    await kit.runQueued(org, connection.id)
    source.put(customer('cus_b'))
    source.forgetBefore = 10
    const run = await kit.sync(org, connection.id)
    expect(run).toMatchObject({ status: 'completed', mode: 'full', created: 1 })
  })
})

describe("a customer's contacts", () => {
  it('become the source list: missing ones archived, main switched, swapped emails, new ones added', async () => {
    const { org, source, connection, api } = await kit.connected({
      customers: [
        customer('cus_1', {
          contacts: [
            contact('a', 'a@x.example', { isMain: true }),
            contact('b', 'b@x.example'),
            contact('d', 'd@x.example'),
          ],
        }),
      ],
    })
    await kit.runQueued(org, connection.id)
    const before = await customerByExternalId(api, 'cus_1')
    source.put(
      customer('cus_1', {
        contacts: [
          contact('a', 'b@x.example', { firstName: 'Was A' }),
          contact('b', 'a@x.example', { isMain: true }),
          contact('c', 'c@x.example'),
        ],
      }),
    )
    expect(await kit.sync(org, connection.id)).toMatchObject({ status: 'completed', updated: 1 })
    const after = await customerByExternalId(api, 'cus_1')
    expect(after.contacts.map((c: any) => [c.externalId, c.email, c.isMain])).toEqual([
      ['b', 'a@x.example', true],
      ['a', 'b@x.example', false],
      ['c', 'c@x.example', false],
    ])
    const idOf = (ext: string) => before.contacts.find((c: any) => c.externalId === ext).id
    expect(after.contacts.find((c: any) => c.externalId === 'a').id).toBe(idOf('a'))
    const history = json(await api.get(`/api/v1/customers/${after.id as string}/history`)).data
    const latest = history.filter((e: any) => e.entity === 'contact' && e.action !== 'create')
    expect(
      latest.map((e: any) => [e.action, e.before.email, e.after.email, e.after.isMain]).sort(),
    ).toEqual([
      ['archive', 'd@x.example', 'd@x.example', false],
      ['update', 'a@x.example', 'b@x.example', false],
      ['update', 'b@x.example', 'a@x.example', true],
    ])
  })

  it('takes over a Roster customer with the same Customer ID, keeping matching contacts by email', async () => {
    const { org, source, connection, api } = await kit.connected()
    const created = json(
      await api.post('/api/v1/customers', { name: 'Old name', externalId: 'cus_9', city: 'Nice' }),
    )
    const kept = json(
      await api.post(`/api/v1/customers/${created.id as string}/contacts`, {
        email: 'AP@nine.example',
        isMain: true,
      }),
    )
    await api.post(`/api/v1/customers/${created.id as string}/contacts`, {
      email: 'old@nine.example',
    })
    source.put(
      customer('cus_9', {
        name: 'Nine',
        contacts: [contact('n1', 'ap@nine.example', { isMain: true })],
      }),
    )
    const run = await kit.runQueued(org, connection.id)
    expect(run).toMatchObject({ created: 0, updated: 1 })
    const taken = await customerByExternalId(api, 'cus_9')
    expect(taken).toMatchObject({ id: created.id, name: 'Nine', city: null, source: 'stripe' })
    expect(taken.contacts.map((c: any) => [c.id, c.email, c.externalId, c.isMain])).toEqual([
      [kept.id, 'ap@nine.example', 'n1', true],
    ])
  })

  it('skips a customer another connection already brings, and says which', async () => {
    const { org, connection, api } = await kit.connected({ customers: [customer('cus_1')] })
    await kit.runQueued(org, connection.id)
    const second = await kit.connected(
      { customers: [customer('cus_1'), customer('cb_2')] },
      'chargebee',
      org,
    )
    const run = await kit.runQueued(org, second.connection.id)
    expect(run).toMatchObject({ created: 1, skipped: 1 })
    expect(run?.errors).toEqual([
      {
        externalId: 'cus_1',
        reason:
          'Another connection (Stripe, "Stripe") already brings a customer with this Customer ID.',
      },
    ])
    expect((await customerByExternalId(api, 'cus_1')).source).toBe('stripe')
  })

  it('are left alone when the connection is not the contact source, and after the disconnect', async () => {
    const { org, source, connection, api } = await kit.connected({ customers: [acme()] })
    await kit.runQueued(org, connection.id)
    expect(
      (await api.post('/api/v1/organization/contact-source/disconnect', { confirm: 'DISCONNECT' }))
        .statusCode,
    ).toBe(200)
    source.put({
      ...acme(),
      name: 'Acme Renamed',
      contacts: [contact('ct_9', 'new@acme.example', { isMain: true })],
    })
    const run = await kit.sync(org, connection.id)
    expect(run).toMatchObject({ status: 'completed', updated: 1 })
    const after = await customerByExternalId(api, 'cus_acme')
    expect(after.name).toBe('Acme Renamed')
    expect(after.contacts.map((c: any) => [c.email, c.isMain, c.source])).toEqual([
      ['ap@acme.example', true, 'roster'],
      ['boss@acme.example', false, 'roster'],
    ])

    const other = await kit.connected({ customers: [acme()] }, 'stripe')
    const chargebee = await kit.connected({}, 'chargebee', other.org)
    const put = await other.api.put('/api/v1/organization/contact-source', {
      connectionId: chargebee.connection.id,
    })
    expect(put.statusCode).toBe(200)
    await kit.runQueued(other.org, other.connection.id)
    expect((await customerByExternalId(other.api, 'cus_acme')).contacts).toEqual([])
  })
})

describe('failures', () => {
  it('waits as long as the source asks after "too many requests", then carries on', async () => {
    const { org, source, connection } = await kit.connected({
      customers: [acme(), customer('cus_b'), customer('cus_c')],
    })
    source.failNext({ kind: 'rate_limited', retryAfterMs: 1500 })
    kit.waits.length = 0
    const run = await kit.runQueued(org, connection.id)
    expect(run).toMatchObject({ status: 'completed', created: 3 })
    expect(kit.waits).toEqual([1500])
  })

  it('backs off on temporary failures, fails after the last retry, and the next run resumes', async () => {
    const { org, source, connection } = await kit.connected({
      customers: [acme(), customer('cus_b'), customer('cus_c')],
    })
    await kit.runQueued(org, connection.id)
    source.put(customer('cus_d'))
    source.failNext(
      ...Array.from({ length: 5 }, () => ({ kind: 'temporary' as const, message: '503' })),
    )
    kit.waits.length = 0
    const failed = await kit.sync(org, connection.id)
    expect(kit.waits).toEqual([1000, 2000, 4000, 8000])
    expect(failed).toMatchObject({ status: 'failed', created: 0 })
    expect(failed?.error).toBe(
      'Stripe could not be reached after 5 tries (503). The next run continues from the last page applied.',
    )
    expect((await kit.connectionRow(org, connection.id)).statusMessage).toBe(failed?.error)
    const next = await kit.sync(org, connection.id)
    expect(next).toMatchObject({ status: 'completed', created: 1 })
    expect((await kit.connectionRow(org, connection.id)).statusMessage).toBeNull()
  })

  it('marks the connection for reconnection and notifies the admins when credentials are revoked', async () => {
    const { org, source, connection, api } = await kit.connected({ customers: [acme()] })
    const admin = await import('../support.ts').then((s) => s.newMember(store, org, 'admin'))
    source.revoke()
    const run = await kit.runQueued(org, connection.id)
    expect(run).toMatchObject({ status: 'failed' })
    expect(run?.error).toBe(
      "Stripe refused Roster's credentials (Invalid API key provided). Reconnect the connection with valid credentials.",
    )
    const shown = json(await api.get(`/api/v1/connections/${connection.id}`))
    expect(shown).toMatchObject({
      status: 'needs_reconnection',
      statusMessage: run?.error,
      nextSyncAt: null,
    })
    const { listNotifications } =
      await import('../../src/modules/notifications/notifications.service.ts')
    const inbox = await listNotifications(store.db, org.id, admin.id, { limit: 10 })
    expect(inbox.data).toMatchObject([
      {
        kind: 'connection_needs_reconnection',
        title: 'Stripe needs to be reconnected',
        subject: { connectionId: connection.id },
      },
    ])
    expect((await api.post(`/api/v1/connections/${connection.id}/sync`, {})).statusCode).toBe(409)
    source.validKeys.add('new-key')
    const reconnected = await api.patch(`/api/v1/connections/${connection.id}`, {
      secrets: { apiKey: 'new-key' },
    })
    expect(json(reconnected)).toMatchObject({ status: 'active', statusMessage: null })
    expect(await kit.sync(org, connection.id)).toMatchObject({ status: 'completed', created: 1 })
  })

  it('skips and reports the records it cannot store, and applies the others', async () => {
    const { org, source, connection, api } = await kit.connected({
      customers: [
        acme(),
        customer('cus_bad', { country: 'France' }),
        customer('cus_two_mains', {
          contacts: [
            contact('1', 'a@two.example', { isMain: true }),
            contact('2', 'b@two.example', { isMain: true }),
          ],
        }),
      ],
    })
    source.skipNext = [{ externalId: 'cus_unread', reason: 'Its payload could not be read.' }]
    const run = await kit.runQueued(org, connection.id)
    expect(run).toMatchObject({ status: 'completed', created: 1, skipped: 3 })
    expect(run?.errors).toEqual([
      { externalId: 'cus_unread', reason: 'Its payload could not be read.' },
      { externalId: 'cus_bad', reason: 'It has a country that is not an ISO code like FR.' },
      {
        externalId: 'cus_two_mains',
        reason: 'It has 2 main contacts; a customer has one at most.',
      },
    ])
    expect((await customersOf(api)).map((c) => c.externalId)).toEqual(['cus_acme'])
  })

  it('stops after the page in progress when the connection is paused', async () => {
    const { org, connection, api } = await kit.connected({
      pageSize: 1,
      customers: [acme(), customer('cus_b'), customer('cus_c')],
    })
    const run = await kit.runQueued(org, connection.id, {
      afterPage: async (pages) => {
        if (pages === 1) await api.patch(`/api/v1/connections/${connection.id}`, { paused: true })
      },
    })
    expect(run).toMatchObject({
      status: 'cancelled',
      created: 1,
      error: 'The connection was paused during the run.',
    })
  })
})

describe('credentials that expire', () => {
  it('stores refreshed tokens encrypted before listing', async () => {
    const { org, source, connection } = await kit.connected({ customers: [acme()] })
    source.oauth = true
    await kit.runQueued(org, connection.id)
    const row = await kit.connectionRow(org, connection.id)
    expect(row.credentials).not.toContain('token-1')
    const plain = JSON.parse(
      await kit.vault.decrypt(row.credentials ?? '', `${org.id}/${connection.id}`),
    )
    expect(plain).toMatchObject({ apiKey: 'good-key', accessToken: 'token-1' })
    expect(
      await store.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.organizationId, org.id), eq(auditEvents.entity, 'customer'))),
    ).toHaveLength(1)
  })
})

describe('the run lifecycle', () => {
  it('refuses to move a completed run back to running, and writes nothing', async () => {
    const { org, connection } = await kit.connected({ customers: [customer('cus_a')] })
    const run = await kit.runQueued(org, connection.id)
    if (!run) throw new Error('no run')
    expect(run.status).toBe('completed')
    await expect(moveRun(store.db, run, 'running')).rejects.toThrow(
      'A completed sync run cannot become running.',
    )
    expect(await findRun(store.db, org.id, run.id)).toEqual(run)
  })
})
