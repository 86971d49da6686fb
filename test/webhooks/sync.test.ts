import { describe, expect, it } from 'vitest'
import { startQueue } from '../../src/app/jobs.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { json, newOrg, testApp, testQueue, testStore } from '../support.ts'
import { syncKit } from '../sources/helpers.ts'
import { contact, customer, scriptedConnectors } from '../sources/scripted.ts'
import { startReceiver, until } from './receiver.ts'

const connectors = scriptedConnectors('stripe')
const store = await testStore()
const app = await testApp(store, { connectors })
const kit = syncKit(store, await testQueue(store), app, connectors)

describe('outbound webhooks of a sync', () => {
  it('sends the changes a sync made, who made them, and sync.completed', async () => {
    const org = await newOrg(store)
    const receiver = await startReceiver()
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: { authorization: `Bearer ${org.key}` },
      payload: {
        url: receiver.url,
        events: ['customer.created', 'contact.created', 'sync.completed'],
      },
    })
    expect(created.statusCode).toBe(201)
    receiver.useSecret(json(created).secret)
    const { connection } = await kit.connected(
      {
        customers: [
          customer('cus_acme', {
            name: 'Acme',
            contacts: [contact('ct_1', 'ap@acme.example', { isMain: true })],
          }),
        ],
      },
      'stripe',
      org,
    )
    const run = await kit.runQueued(org, connection.id)
    expect(run?.status).toBe('completed')

    const base = loadConfig()
    const worker = await startQueue(
      store,
      { ...base, webhooks: { ...base.webhooks, deliver: true, allowLocal: true } },
      { workers: ['webhooks.deliver'], hooks: { webhookOrganizations: [org.id] } },
    )
    try {
      await until(() => receiver.events.size === 3, 'three events')
    } finally {
      await worker.stop()
    }
    const bodies = [...receiver.events.values()].map((c) => c.body)
    expect(bodies.map((b) => b.type).sort()).toEqual([
      'contact.created',
      'customer.created',
      'sync.completed',
    ])
    const acme = bodies.find((b) => b.type === 'customer.created')
    expect(acme.data).toMatchObject({
      changes: { name: { before: null, after: 'Acme' } },
      actor: { kind: 'source', label: 'Stripe sync' },
    })
    const done = bodies.find((b) => b.type === 'sync.completed')
    expect(done.data).toMatchObject({
      object: 'sync_run',
      id: run?.id,
      connectionId: connection.id,
      system: 'stripe',
      mode: 'full',
      counts: { created: 1, updated: 0, archived: 0, skipped: 0 },
    })
  })
})
