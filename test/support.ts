import type { Connectors } from '../src/modules/sources/connectors/index.ts'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll } from 'vitest'
import { cliActor, type Scope } from '../src/platform/auth/scope.ts'
import { createApiKey } from '../src/modules/organizations/api-keys.service.ts'
import { addMember } from '../src/modules/organizations/members.service.ts'
import { createOrganization } from '../src/modules/organizations/organizations.service.ts'
import { openVault } from '../src/platform/auth/encryption.ts'
import { loadConfig, type ApiLimits } from '../src/platform/config.ts'
import { openStore, type Store } from '../src/platform/db/client.ts'
import { buildApp } from '../src/app/http.ts'
import type { Queue } from '../src/platform/queue/queue.ts'
import { jobs, startQueue, type JobHooks } from '../src/app/jobs.ts'

let shared: Promise<Store> | undefined

/** The run's database (see global-setup.ts), opened once per test file. */
export function testStore(): Promise<Store> {
  if (!shared) {
    shared = openStore(loadConfig(), { migrate: false })
    afterAll(async () => {
      await (await shared)?.close()
    })
  }
  return shared
}

export interface TestOrg {
  id: string
  slug: string
  key: string
  scope: Scope
}

/** A fresh organisation with an API key, so each test works on its own data. */
export async function newOrg(store: Store, country: string | undefined = 'FR'): Promise<TestOrg> {
  const slug = `t-${randomUUID().slice(0, 12)}`
  const org = await createOrganization(store.db, { name: `Test ${slug}`, slug, country })
  const { key } = await createApiKey(store.db, org.id, { name: 'test' })
  return { id: org.id, slug, key, scope: { organizationId: org.id, actor: cliActor } }
}

export async function newMember(
  store: Store,
  org: TestOrg,
  role: 'admin' | 'account_manager' | 'member',
  password?: string,
): Promise<{ id: string; email: string }> {
  const email = `${role}-${randomUUID().slice(0, 8)}@example.com`
  const member = await addMember(store.db, org.id, { email, role, password })
  return { id: member.id, email }
}

let sharedQueue: Promise<Queue> | undefined

// Sync jobs call the connector their test scripted, which only that test's process has: sync
// tests run the engine themselves (test/sources/), so no other test file's workers take them.
// Reminders, invitations and password resets go to the SMTP server of the test that sends them
// (test/reminders/, test/api/members/), likewise, and webhooks to the receiver of the test that
// delivers them (test/webhooks/).
const inProcessJobs = jobs
  .map((job) => job.name)
  .filter(
    (name) =>
      !['sources.', 'reminders.', 'members.', 'webhooks.'].some((kind) => name.startsWith(kind)),
  )

/**
 * pg-boss on the run's database, started once per test file; `workers` also runs the jobs, given
 * `hooks` (those of the first call).
 */
export function testQueue(
  store: Store,
  options: { workers?: boolean; hooks?: JobHooks } = {},
): Promise<Queue> {
  if (!sharedQueue) {
    sharedQueue = startQueue(store, loadConfig(), {
      workers: options.workers ? inProcessJobs : false,
      hooks: options.hooks,
    })
    afterAll(async () => {
      await (await sharedQueue)?.stop()
    })
  }
  return sharedQueue
}

export async function testApp(
  store: Store,
  options: {
    workers?: boolean
    importMaxBytes?: number
    logger?: { level: string; stream: { write(line: string): void } }
    /** Scripted connectors in place of Roster's own (test/sources/scripted.ts). */
    connectors?: Connectors
    trustProxy?: boolean | number | string[]
    /** Whether admins may give a base URL; on, as the fakes are reached through one. */
    allowBaseUrl?: boolean
    /**
     * The API's limits; by default far above what a test sends, so that only the tests of the
     * limits meet them (test/api/limits.test.ts).
     */
    apiLimits?: ApiLimits
    /** Whether anyone may sign up (ROSTER_SIGNUP=open); closed unless given. */
    signupOpen?: boolean
    /** Whether webhook endpoints may be http:// and local; on, as test receivers are. */
    webhookAllowLocal?: boolean
  } = {},
): Promise<FastifyInstance> {
  const config = loadConfig()
  const app = await buildApp({
    db: store.db,
    queue: await testQueue(store, options),
    vault: openVault(config),
    publicUrl: config.publicUrl,
    bodyLimit: 64 * 1024,
    importMaxBytes: options.importMaxBytes,
    logger: options.logger,
    connectors: options.connectors,
    trustProxy: options.trustProxy,
    allowBaseUrl: options.allowBaseUrl ?? true,
    apiLimits: options.apiLimits ?? { requestsPerMinute: 1_000_000, concurrent: 1_000 },
    signupOpen: options.signupOpen,
    webhookAllowLocal: options.webhookAllowLocal ?? true,
  })
  afterAll(() => app.close())
  return app
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'

/**
 * A client bound to one organisation's API key (a string) or to a signed-in member's session
 * cookie (`{ cookie }`).
 */
export function client(app: FastifyInstance, credentials: string | { cookie: string }) {
  const headers =
    typeof credentials === 'string'
      ? { authorization: `Bearer ${credentials}` }
      : { cookie: credentials.cookie }
  const call = (method: Method, url: string, payload?: unknown): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, body: unknown) => call('POST', url, body),
    patch: (url: string, body: unknown) => call('PATCH', url, body),
    put: (url: string, body: unknown) => call('PUT', url, body),
    delete: (url: string) => call('DELETE', url),
  }
}

export type Client = ReturnType<typeof client>

/** The parsed JSON body, typed loosely for assertions. */
export const json = (response: LightMyRequestResponse): any => response.json()
