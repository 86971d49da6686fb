import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { addMember } from '../../src/modules/organizations/members.service.ts'
import { createOrganization } from '../../src/modules/organizations/organizations.service.ts'
import type { Store } from '../../src/platform/db/client.ts'
import { buildApp } from '../../src/platform/http/app.ts'
import { ensureWebBuild, webDist } from '../../src/platform/web/build.ts'
import { testQueue, testStore } from '../../test/support.ts'
import { openVault } from '../../src/platform/auth/encryption.ts'
import { loadConfig } from '../../src/platform/config.ts'

export interface Roster {
  app: FastifyInstance
  store: Store
  baseURL: string
}

/**
 * Roster as `roster serve` runs it — the built web app and the API on one port, the job workers
 * running — on the test run's database (PGlite, or PostgreSQL with DATABASE_URL).
 */
export async function startRoster(options: { importMaxBytes?: number } = {}): Promise<Roster> {
  await ensureWebBuild((message) => process.stderr.write(`[e2e] ${message}\n`))
  const store = await testStore()
  const queue = await testQueue(store, { workers: true })
  const config = loadConfig()
  const vault = openVault(config)
  const app = await buildApp({
    db: store.db,
    queue,
    vault,
    publicUrl: config.publicUrl,
    webDir: webDist,
    ...options,
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return { app, store, baseURL: `http://127.0.0.1:${port}` }
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
