import { and, eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { startQueue } from '../../src/app/jobs.ts'
import { loadConfig, type Config } from '../../src/platform/config.ts'
import { pruneWebhooks } from '../../src/modules/webhooks/webhooks.job.ts'
import { notifications, webhookDeliveries } from '../../src/platform/db/schema/index.ts'
import type { Queue } from '../../src/platform/queue/queue.ts'
import { client, json, newMember, newOrg, testApp, testStore, type TestOrg } from '../support.ts'
import { importFile } from '../imports/helpers.ts'
import { startReceiver, until } from './receiver.ts'

const store = await testStore()
const app = await testApp(store, { workers: true })

/** A worker of the delivery job for one organisation, with the given webhook settings. */
async function startDeliverer(
  org: TestOrg,
  webhooks: Partial<Config['webhooks']> = {},
): Promise<Queue> {
  const base = loadConfig()
  const config: Config = {
    ...base,
    webhooks: { ...base.webhooks, deliver: true, allowLocal: true, ...webhooks },
  }
  return startQueue(store, config, {
    workers: ['webhooks.deliver'],
    hooks: { webhookOrganizations: [org.id] },
  })
}

async function setUp(events: string[]) {
  const org = await newOrg(store)
  const api = client(app, org.key)
  const receiver = await startReceiver()
  const created = await api.post('/api/v1/webhook-endpoints', {
    url: receiver.url,
    events,
    description: 'ERP',
  })
  expect(created.statusCode).toBe(201)
  const endpoint = json(created)
  receiver.useSecret(endpoint.secret)
  return { org, api, receiver, endpoint }
}

const deliveries = async (api: ReturnType<typeof client>, endpointId: string) =>
  json(await api.get(`/api/v1/webhook-endpoints/${endpointId}/deliveries?limit=200`)).data as any[]

describe('outbound webhook endpoints', () => {
  it('shows the signing secret once, and a new one when rotated', async () => {
    const { api, endpoint } = await setUp(['customer.created'])
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/)
    expect(endpoint).toMatchObject({ events: ['customer.created'], enabled: true })
    const read = json(await api.get(`/api/v1/webhook-endpoints/${endpoint.id}`))
    expect(read.secret).toBeUndefined()
    const listed = json(await api.get('/api/v1/webhook-endpoints')).data
    expect(listed.map((e: any) => e.id)).toEqual([endpoint.id])
    expect(listed[0].secret).toBeUndefined()
    const rotated = json(
      await api.post(`/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {}),
    )
    expect(rotated.secret).toMatch(/^whsec_/)
    expect(rotated.secret).not.toBe(endpoint.secret)

    const patched = await api.patch(`/api/v1/webhook-endpoints/${endpoint.id}`, {
      enabled: false,
      events: ['customer.created', 'contact.deleted'],
    })
    expect(json(patched)).toMatchObject({
      enabled: false,
      events: ['customer.created', 'contact.deleted'],
    })
    const badUrl = await api.patch(`/api/v1/webhook-endpoints/${endpoint.id}`, {
      url: 'http://169.254.169.254/',
    })
    expect(badUrl.statusCode).toBe(400)
    expect(json(badUrl).error.details[0].path).toBe('url')
    // Nothing is queued for an endpoint an admin turned off.
    await api.post('/api/v1/customers', { name: 'Unseen' })
    expect(await deliveries(api, endpoint.id)).toEqual([])

    const other = client(app, (await newOrg(store)).key)
    expect((await other.get(`/api/v1/webhook-endpoints/${endpoint.id}`)).statusCode).toBe(404)
    expect((await api.delete(`/api/v1/webhook-endpoints/${endpoint.id}`)).statusCode).toBe(204)
    expect((await api.get(`/api/v1/webhook-endpoints/${endpoint.id}`)).statusCode).toBe(404)
  })

  it('refuses a URL that is not https, points inside the network, or an unknown event', async () => {
    const strict = await testApp(store, { webhookAllowLocal: false })
    const org = await newOrg(store)
    const api = client(strict, org.key)
    const refused = async (body: unknown) => {
      const response = await api.post('/api/v1/webhook-endpoints', body)
      expect(response.statusCode).toBe(400)
      return json(response).error
    }
    const plain = await refused({ url: 'http://example.com/hooks', events: ['customer.created'] })
    expect(plain.message).toContain('https://')
    expect(plain.details[0].path).toBe('url')
    for (const url of [
      'https://127.0.0.1/hooks',
      'https://10.1.2.3/hooks',
      'https://[::1]/hooks',
      'https://localhost:8443/hooks',
      'https://192.168.0.10/hooks',
    ]) {
      expect((await refused({ url, events: ['customer.created'] })).message).toContain(
        'inside the network',
      )
    }
    expect(
      (await refused({ url: 'https://169.254.169.254/latest', events: ['customer.created'] }))
        .message,
    ).toContain('metadata')
    const unknown = await refused({ url: 'https://example.com/hooks', events: ['invoice.paid'] })
    expect(JSON.stringify(unknown.details)).toContain('Unknown event')
    // Even where local receivers are allowed, metadata addresses never are.
    const local = client(app, org.key)
    const metadata = await local.post('/api/v1/webhook-endpoints', {
      url: 'http://169.254.169.254/',
      events: ['customer.created'],
    })
    expect(metadata.statusCode).toBe(400)
    expect(json(await api.get('/api/v1/webhook-endpoints')).data).toEqual([])
  })

  it('delivers each signed event once across a restart of the worker mid-delivery', async () => {
    const { api, receiver, endpoint, org } = await setUp([
      'customer.created',
      'customer.updated',
      'contact.created',
    ])
    const customer = json(
      await api.post('/api/v1/customers', { name: 'Acme', externalId: 'C-1', city: 'Lyon' }),
    )
    await api.patch(`/api/v1/customers/${customer.id}`, { city: 'Paris' })
    await api.post(`/api/v1/customers/${customer.id}/contacts`, {
      email: 'elodie@acme.example',
      firstName: 'Élodie',
    })
    expect(await deliveries(api, endpoint.id)).toHaveLength(3)

    // The first call reaches the receiver, which takes it but has not answered when the worker
    // stops; a new worker sends it again, with the same webhook-id.
    const held = receiver.holdNext()
    const first = await startDeliverer(org, { timeoutMs: 20_000 })
    await held
    await first.stop()
    receiver.release()
    const second = await startDeliverer(org)
    await until(
      async () => (await deliveries(api, endpoint.id)).every((d) => d.status === 'delivered'),
      'every delivery delivered',
    )
    await second.stop()

    expect(receiver.refused).toEqual([])
    expect(receiver.calls.length).toBeGreaterThan(receiver.events.size)
    const events = [...receiver.events.values()].map((call) => call.body)
    expect(events.map((e) => e.type).sort()).toEqual([
      'contact.created',
      'customer.created',
      'customer.updated',
    ])
    const updated = events.find((e) => e.type === 'customer.updated')
    expect(updated.data).toMatchObject({
      object: 'customer',
      id: customer.id,
      changes: { city: { before: 'Lyon', after: 'Paris' } },
      actor: { kind: 'api_key', label: expect.any(String) },
    })
    expect(Object.keys(updated.data.changes)).toEqual(['city'])
    const contact = events.find((e) => e.type === 'contact.created')
    expect(contact.data).toMatchObject({
      object: 'contact',
      customerId: customer.id,
      changes: { email: { before: null, after: 'elodie@acme.example' } },
    })

    // The log says what happened; a replay sends the same event again with its webhook-id.
    const log = await deliveries(api, endpoint.id)
    const interrupted = log.find((d) => d.attempts === 2)
    expect(interrupted).toBeDefined()
    for (const d of log) {
      expect(d).toMatchObject({ status: 'delivered', responseStatus: 200, error: null })
      expect(d.durationMs).toBeGreaterThanOrEqual(0)
    }
    const replay = await api.post(
      `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${interrupted.id}/replay`,
      {},
    )
    expect(replay.statusCode).toBe(201)
    expect(json(replay)).toMatchObject({ status: 'pending', replayOf: interrupted.id })
    const before = receiver.calls.length
    const third = await startDeliverer(org)
    await until(() => receiver.calls.length === before + 1, 'the replay')
    await third.stop()
    expect(receiver.calls.at(-1)?.id).toBe(interrupted.eventId)
    expect(receiver.events.size).toBe(3)
  })

  it('retries with backoff, then turns the endpoint off and tells the admins', async () => {
    const { api, receiver, endpoint, org } = await setUp(['customer.created', 'customer.updated'])
    const admin = await newMember(store, org, 'admin')
    receiver.answer(500)
    await api.post('/api/v1/customers', { name: 'Failing' })
    const worker = await startDeliverer(org, { retryDelaysMs: [10, 20, 40] })
    await until(
      async () => (await deliveries(api, endpoint.id))[0]?.status === 'failed',
      'the delivery to fail',
    )
    await worker.stop()
    const [failed] = await deliveries(api, endpoint.id)
    expect(failed).toMatchObject({ attempts: 4, responseStatus: 500 })
    expect(failed.error).toContain('500')
    expect(receiver.calls).toHaveLength(4)
    const off = json(await api.get(`/api/v1/webhook-endpoints/${endpoint.id}`))
    expect(off.enabled).toBe(false)
    expect(off.disabledReason).toContain('failed for a day')
    const told = await store.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.organizationId, org.id), eq(notifications.memberId, admin.id)))
    expect(told.map((n) => n.kind)).toEqual(['webhook_endpoint_disabled'])
    // Nothing is queued for an endpoint that is off.
    await api.post('/api/v1/customers', { name: 'Later' })
    expect(await deliveries(api, endpoint.id)).toHaveLength(1)
  })

  it('refuses at delivery a URL that now points inside the network', async () => {
    const { api, receiver, endpoint, org } = await setUp(['customer.created'])
    await api.post('/api/v1/customers', { name: 'Acme' })
    const worker = await startDeliverer(org, { allowLocal: false, retryDelaysMs: [60_000] })
    await until(
      async () => (await deliveries(api, endpoint.id))[0]?.attempts === 1,
      'the first attempt',
    )
    await worker.stop()
    const [refused] = await deliveries(api, endpoint.id)
    expect(refused.status).toBe('pending')
    expect(refused.error).toContain('https://')
    expect(receiver.calls).toEqual([])
  })

  it('sends import.completed and the changes an import made, in its transactions', async () => {
    const { api, receiver, endpoint, org } = await setUp(['customer.created', 'import.completed'])
    const { id } = await importFile(
      { app, key: org.key },
      'Customer name;Customer ID\nAlpha;A-1\nBeta;B-2\n',
    )
    await until(async () => (await deliveries(api, endpoint.id)).length === 3, 'three events')
    const worker = await startDeliverer(org)
    await until(() => receiver.events.size === 3, 'three events delivered')
    await worker.stop()
    const types = [...receiver.events.values()].map((c) => c.body.type).sort()
    expect(types).toEqual(['customer.created', 'customer.created', 'import.completed'])
    const done = [...receiver.events.values()].find((c) => c.body.type === 'import.completed')
    expect(done?.body.data).toMatchObject({ object: 'import', id, status: 'completed' })
    const created = [...receiver.events.values()].find((c) => c.body.type === 'customer.created')
    expect(created?.body.data.actor.kind).toBe('import')
  })

  it('tells an erased contact and what an undone import removed or put back as their events', async () => {
    const { api, endpoint, org } = await setUp(['contact.deleted', 'customer.updated'])
    const first = await importFile(
      { app, key: org.key },
      'Customer name;Customer ID;Contact email\nAlpha;A-1;ann@alpha.example\n',
    )
    expect(first.result.status).toBe('completed')
    const [alpha] = json(await api.get('/api/v1/customers?limit=10')).data as any[]
    const [ann] = json(await api.get(`/api/v1/customers/${alpha.id}/contacts`)).data as any[]
    expect((await api.post(`/api/v1/contacts/${ann.id}/erase`, {})).statusCode).toBe(200)
    const second = await importFile(
      { app, key: org.key },
      'Customer name;Customer ID;Contact email\nAlpha Renamed;A-1;bob@alpha.example\n',
    )
    expect(second.result.status).toBe('completed')
    expect((await api.post(`/api/v1/imports/${second.id}/undo`, {})).statusCode).toBe(200)
    const types = (await deliveries(api, endpoint.id)).map((d) => d.eventType).sort()
    // The erasure, the rename the undo put back, the contact it removed (the import's own
    // rename is a customer.updated too).
    expect(types).toEqual([
      'contact.deleted',
      'contact.deleted',
      'customer.updated',
      'customer.updated',
    ])
  })

  it('forgets deliveries that ended a month ago, keeping those still to send', async () => {
    const { api, endpoint, org } = await setUp(['customer.created'])
    await api.post('/api/v1/customers', { name: 'Old' })
    await api.post('/api/v1/customers', { name: 'Waiting' })
    const [waiting, old] = await deliveries(api, endpoint.id)
    await store.db
      .update(webhookDeliveries)
      .set({ status: 'delivered', createdAt: sql`now() - interval '31 days'` })
      .where(and(eq(webhookDeliveries.organizationId, org.id), eq(webhookDeliveries.id, old.id)))
    await store.db.execute(
      sql`update webhook_outbox set occurred_at = now() - interval '31 days'
        where organization_id = ${org.id}`,
    )
    await pruneWebhooks.handle({ db: store.db }, {}, undefined as never)
    expect((await deliveries(api, endpoint.id)).map((d) => d.id)).toEqual([waiting.id])
    const events = await store.db.execute(
      sql`select count(*)::int as n from webhook_outbox where organization_id = ${org.id}`,
    )
    expect(events.rows[0]).toEqual({ n: 1 })
  })
})
