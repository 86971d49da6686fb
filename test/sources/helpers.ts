import { and, asc, eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import {
  insertConnection,
  prepareConnection,
} from '../../src/modules/sources/connections.service.ts'
import {
  connectors as registeredConnectors,
  type Connectors,
} from '../../src/modules/sources/connectors/index.ts'
import { runNextSync, type SyncOptions } from '../../src/modules/sources/sync/engine.ts'
import { requestRun } from '../../src/modules/sources/sync/runs.service.ts'
import type { SourceSystem } from '../../src/modules/sources/systems.ts'
import { openVault } from '../../src/platform/auth/encryption.ts'
import { loadConfig } from '../../src/platform/config.ts'
import type { Store } from '../../src/platform/db/client.ts'
import { connections, syncRuns } from '../../src/platform/db/schema/index.ts'
import type { Queue } from '../../src/platform/queue/queue.ts'
import { client, json, newOrg, type TestOrg } from '../support.ts'
import { ScriptedSource, type Script } from './scripted.ts'

/** What sync tests share: the store, the queue (no workers) and the engine with instant waits. */
export function syncKit(
  store: Store,
  queue: Queue,
  app: FastifyInstance,
  connectors: Connectors = registeredConnectors,
) {
  const vault = openVault(loadConfig())
  const deps = { db: store.db, queue, vault, connectors }
  const waits: number[] = []
  const options: SyncOptions = {
    sleep: (ms) => {
      waits.push(ms)
      return Promise.resolve()
    },
    retry: { backoffMs: (attempt) => 1000 * 2 ** attempt },
  }

  /** An organisation connected to a scripted source (its first full run is queued, not run). */
  async function connected(script: Script = {}, system: SourceSystem = 'stripe', org?: TestOrg) {
    const owner = org ?? (await newOrg(store))
    const source = new ScriptedSource(script)
    const prepared = await prepareConnection(
      { vault, connectors },
      owner.id,
      {
        system,
        settings: { site: source.site },
        secrets: { apiKey: 'good-key', webhookSecret: 'whsec-test' },
      },
      { allowBaseUrl: true },
    )
    const connection = await store.db.transaction((tx) =>
      insertConnection(tx, queue, owner.scope, prepared),
    )
    return { org: owner, source, connection, api: client(app, owner.key) }
  }

  async function sync(
    org: TestOrg,
    connectionId: string,
    request: { full?: boolean; options?: SyncOptions } = {},
  ) {
    await store.db.transaction((tx) =>
      requestRun(tx, queue, {
        organizationId: org.id,
        connectionId,
        full: request.full ?? false,
        trigger: 'manual',
      }),
    )
    return runNextSync(deps, org.id, connectionId, { ...options, ...request.options })
  }

  /** Runs what is queued (the first full run after connecting). */
  const runQueued = (org: TestOrg, connectionId: string, extra: SyncOptions = {}) =>
    runNextSync(deps, org.id, connectionId, { ...options, ...extra })

  async function connectionRow(org: TestOrg, id: string) {
    const [row] = await store.db
      .select()
      .from(connections)
      .where(and(eq(connections.organizationId, org.id), eq(connections.id, id)))
    if (!row) throw new Error('no connection')
    return row
  }

  /** The connection's runs, oldest first (a row's place on disk moves when it is updated). */
  async function runs(org: TestOrg, connectionId: string) {
    return store.db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.organizationId, org.id), eq(syncRuns.connectionId, connectionId)))
      .orderBy(asc(syncRuns.queuedAt), asc(syncRuns.id))
  }

  return { vault, deps, waits, options, connected, sync, runQueued, connectionRow, runs }
}

/** Every customer (live ones) as the API lists them, with their contacts. */
export async function customersOf(api: ReturnType<typeof client>) {
  const list = json(await api.get('/api/v1/customers?limit=200')).data as any[]
  const result = []
  for (const c of list) {
    const contacts = json(await api.get(`/api/v1/customers/${c.id as string}/contacts`)).data
    result.push({ ...c, contacts })
  }
  return result
}

/** A customer by Customer ID, with its contacts: main first. */
export async function customerByExternalId(api: ReturnType<typeof client>, externalId: string) {
  return (await customersOf(api)).find((c) => c.externalId === externalId)
}
