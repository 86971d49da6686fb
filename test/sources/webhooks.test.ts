import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { json, testApp, testQueue, testStore } from '../support.ts'
import { syncKit } from './helpers.ts'
import { customer, scriptedConnectors, type ScriptedSource } from './scripted.ts'

const connectors = scriptedConnectors('stripe')
const store = await testStore()
const app = await testApp(store, { connectors })
const queue = await testQueue(store)
const kit = syncKit(store, queue, app, connectors)

// Odd spacing on purpose: the signature holds only if the exact bytes received are verified.
const event = '{ "type" :"customer.updated",  "data": {"id":"cus_1"} }'

function send(
  source: ScriptedSource,
  path: string,
  options: { secret?: string; body?: string; contentType?: string } = {},
) {
  const body = options.body ?? event
  return app.inject({
    method: 'POST',
    url: path,
    headers: {
      'content-type': options.contentType ?? 'application/json',
      'x-scripted-signature': source.sign(body, options.secret ?? 'whsec-test'),
    },
    payload: options.body === undefined ? event : body,
  })
}

/** A connection whose first full run is done, so a webhook's run is its own. */
async function synced() {
  const setup = await kit.connected({ customers: [customer('cus_1')] })
  await kit.runQueued(setup.org, setup.connection.id)
  const path = `/webhooks/stripe/${setup.connection.id}`
  return { ...setup, path }
}

describe('webhooks', () => {
  it('verified on the raw body, queue an incremental run, joined by the next ones', async () => {
    const { org, connection, source, path } = await synced()
    const first = await send(source, path)
    expect(first.statusCode).toBe(202)
    expect(json(first)).toEqual({ status: 'queued', reason: null, runId: expect.any(String) })
    const second = await send(source, path, { contentType: 'text/plain' })
    expect(json(second).runId).toBe(json(first).runId)
    const queued = (await kit.runs(org, connection.id)).find((r) => r.status === 'queued')
    expect(queued).toMatchObject({ id: json(first).runId, mode: 'incremental', trigger: 'webhook' })
    const jobs = await queue.boss.findJobs('sources.sync', { key: connection.id, queued: true })
    expect(jobs.length).toBeGreaterThan(0)
    source.put(customer('cus_2'))
    expect(await kit.runQueued(org, connection.id)).toMatchObject({
      id: json(first).runId,
      status: 'completed',
      created: 1,
    })
  })

  it('refuses an unverified call with 401 and runs nothing', async () => {
    const { org, connection, source, path } = await synced()
    const before = await kit.runs(org, connection.id)
    const forged = await send(source, path, { secret: 'not-the-secret' })
    expect(forged.statusCode).toBe(401)
    expect(json(forged).error).toEqual({
      code: 'unauthenticated',
      message: 'This webhook could not be verified; nothing was done.',
      details: [],
    })
    const tampered = await app.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/json',
        'x-scripted-signature': source.sign(event, 'whsec-test'),
      },
      payload: event.replace('cus_1', 'cus_2'),
    })
    expect(tampered.statusCode).toBe(401)
    const unsigned = await app.inject({ method: 'POST', url: path, payload: event })
    expect(unsigned.statusCode).toBe(401)
    expect(await kit.runs(org, connection.id)).toEqual(before)
  })

  it('accepts and ignores a call for a paused connection', async () => {
    const { org, connection, source, path, api } = await synced()
    await api.patch(`/api/v1/connections/${connection.id}`, { paused: true })
    const res = await send(source, path)
    expect(res.statusCode).toBe(202)
    expect(json(res)).toEqual({
      status: 'ignored',
      reason: 'The connection is paused.',
      runId: null,
    })
    expect((await kit.runs(org, connection.id)).map((r) => r.status)).toEqual(['completed'])
  })

  it('answers 404 for an unknown connection or the wrong system', async () => {
    const { source, connection } = await synced()
    expect((await send(source, `/webhooks/stripe/${randomUUID()}`)).statusCode).toBe(404)
    expect((await send(source, '/webhooks/stripe/not-an-id')).statusCode).toBe(404)
    expect((await send(source, `/webhooks/chargebee/${connection.id}`)).statusCode).toBe(404)
  })
})
