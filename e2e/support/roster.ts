import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { addMember } from '../../src/modules/organizations/members.service.ts'
import { createOrganization } from '../../src/modules/organizations/organizations.service.ts'
import type { Store } from '../../src/platform/db/client.ts'
import { buildApp } from '../../src/app/http.ts'
import { ensureWebBuild, webDist } from '../../src/platform/web/build.ts'
import { testQueue, testStore } from '../../test/support.ts'
import { isolatedStore } from '../../test/sources/isolated.ts'
import { startQueue, type JobHooks } from '../../src/app/jobs.ts'
import { openVault } from '../../src/platform/auth/encryption.ts'
import { loadConfig } from '../../src/platform/config.ts'

export interface Roster {
  app: FastifyInstance
  store: Store
  baseURL: string
  /** Stops the server (and the suite's own database, when it has one). */
  close(): Promise<void>
}

/**
 * Roster as `roster serve` runs it — the built web app and the API on one port, the job workers
 * running, given the suite's `hooks` — on the test run's database (PGlite, or PostgreSQL with
 * DATABASE_URL).
 *
 * The shared database's workers leave sync jobs alone: other test files queue them for
 * connectors only their process scripts. A suite that syncs (`ownDatabase`) gets a database of
 * its own, whose workers run every job, the syncs included, as `roster serve` does.
 */
export async function startRoster(
  options: {
    ownDatabase?: boolean
    importMaxBytes?: number
    hooks?: JobHooks
    /** Whether anyone may sign up (ROSTER_SIGNUP=open); closed unless given. */
    signupOpen?: boolean
  } = {},
): Promise<Roster> {
  await ensureWebBuild((message) => process.stderr.write(`[e2e] ${message}\n`))
  const config = loadConfig()
  const own = options.ownDatabase ? await isolatedStore() : null
  const store = own?.store ?? (await testStore())
  const { hooks } = options
  const queue = own
    ? await startQueue(store, config, { workers: true, hooks })
    : await testQueue(store, { workers: true, hooks })
  const vault = openVault(config)
  // Roster's public address is its own: systems send the browser back to it (OAuth2 consent).
  const port = await freePort()
  const baseURL = `http://127.0.0.1:${port}`
  const app = await buildApp({
    db: store.db,
    queue,
    vault,
    publicUrl: baseURL,
    webDir: webDist,
    importMaxBytes: options.importMaxBytes,
    // The systems' fakes are reached through a base URL.
    allowBaseUrl: true,
    // Test receivers of outbound webhooks listen on 127.0.0.1 over http.
    webhookAllowLocal: true,
    // A browser test is one member clicking quickly through many screens: not what limits are for.
    apiLimits: { requestsPerMinute: 1_000_000, concurrent: 1_000 },
    signupOpen: options.signupOpen,
  })
  await app.listen({ port, host: '127.0.0.1' })
  return {
    app,
    store,
    baseURL,
    close: async () => {
      await app.close()
      if (!own) return
      await queue.stop()
      await own.close()
    },
  }
}

export interface SignInAs {
  organizationId: string
  organizationName: string
  memberId: string
  email: string
  password: string
}

/** A fresh organisation and a member of it who signs in with a password. */
export async function newOrgWithMember(
  store: Store,
  options: { role?: 'admin' | 'account_manager' | 'member'; name?: string } = {},
): Promise<SignInAs> {
  const slug = `e2e-${randomUUID().slice(0, 8)}`
  const organizationName = options.name ?? 'Acme Finance'
  const org = await createOrganization(store.db, { name: organizationName, slug, country: 'FR' })
  const email = `ann.${slug}@example.com`
  const password = 'correct horse battery'
  const member = await addMember(store.db, org.id, {
    email,
    name: 'Ann Martin',
    role: options.role ?? 'admin',
    password,
  })
  return { organizationId: org.id, organizationName, memberId: member.id, email, password }
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}
