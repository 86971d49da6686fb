import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, expect } from 'vitest'
import { json, type Client, type TestOrg } from '../support.ts'
import type { syncKit } from './helpers.ts'

/**
 * What the tests of the real connectors through the engine share: fakes stopped after the file,
 * and reading back what Roster holds.
 */

const running: { stop(): Promise<void> }[] = []
let stopsRegistered = false

/** Stops the fake after the test file. */
export function track<T extends { stop(): Promise<void> }>(fake: T): T {
  if (!stopsRegistered) {
    stopsRegistered = true
    afterAll(() => Promise.all(running.map((f) => f.stop())))
  }
  running.push(fake)
  return fake
}

/** Every live customer the API lists, page after page (without their contacts). */
export async function listedCustomers(api: Client): Promise<any[]> {
  const all: any[] = []
  let cursor: string | null = null
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    const page = json(await api.get(`/api/v1/customers?limit=200${query}`))
    all.push(...page.data)
    cursor = page.nextCursor
  } while (cursor)
  return all
}

/** The live customer with this Customer ID, with its contacts (main first); undefined if none. */
export async function synced(api: Client, externalId: string): Promise<any> {
  const found = json(await api.get(`/api/v1/customers?q=${encodeURIComponent(externalId)}`))
  const customer = found.data.find((c: any) => c.externalId === externalId)
  if (!customer) return undefined
  const contacts = json(await api.get(`/api/v1/customers/${customer.id as string}/contacts`)).data
  return { ...customer, contacts }
}

/** Where the app listens for real HTTP (the fakes post their webhooks there). */
export async function listening(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return `http://127.0.0.1:${port}`
}

/** An organisation's connection, as the tests hold it. */
export interface Connected {
  api: Client
  org: TestOrg
  id: string
}

/** Sync now through the API (incremental unless the body asks), then runs the queued run. */
export async function runSyncNow(
  kit: ReturnType<typeof syncKit>,
  setup: Connected,
  body: unknown = {},
) {
  const res = await setup.api.post(`/api/v1/connections/${setup.id}/sync`, body)
  expect(res.statusCode).toBe(202)
  return kit.runQueued(setup.org, setup.id)
}
