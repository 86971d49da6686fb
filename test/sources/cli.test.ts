import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { cliActor } from '../../src/platform/auth/scope.ts'
import { createOrganization } from '../../src/modules/organizations/organizations.service.ts'
import { deleteConnection } from '../../src/modules/sources/connections.service.ts'
import { connections } from '../../src/platform/db/schema/index.ts'
import { isolatedStore } from './isolated.ts'
import { contact, customer, type Script } from './scripted.ts'

// Each command starts a process that opens the store: a few seconds each.
vi.setConfig({ testTimeout: 120_000 })
const isolated = await isolatedStore()
afterAll(() => isolated.close())
const node = new URL('../../node_modules/.bin/node', import.meta.url).pathname
const entry = new URL('./cli-scripted.ts', import.meta.url).pathname
const dir = await mkdtemp(join(tmpdir(), 'roster-cli-sources-'))

/** The scripted source the CLI processes see, written where the scripted entry reads it. */
async function script(name: string, content: Script): Promise<string> {
  const path = join(dir, `${name}.json`)
  await writeFile(path, JSON.stringify(content))
  return path
}

function roster(source: string, ...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const env = {
      ...process.env,
      ...isolated.env,
      ROSTER_TEST_SOURCE: source,
    }
    execFile(node, [entry, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    })
  })
}

let orgs = 0
async function newOrg(): Promise<string> {
  const org = await createOrganization(isolated.store.db, { name: `CLI sources ${++orgs}` })
  return org.slug
}

const acme = customer('cus_acme', {
  name: 'Acme',
  contacts: [contact('ct_1', 'ap@acme.example', { isMain: true })],
})

describe('roster connection add', () => {
  it('checks the key with the system, saves the connection and prints its id', async () => {
    const org = await newOrg()
    const source = await script('add', { site: 'add-site', customers: [acme] })
    const added = await roster(
      source,
      'connection',
      'add',
      '--org',
      org,
      '--system',
      'stripe',
      '--api-key',
      'good-key',
      '--site',
      'add-site',
      '--json',
    )
    expect(added.stderr).toBe('')
    expect(added.code).toBe(0)
    const printed = JSON.parse(added.stdout)
    expect(printed).toEqual({
      id: expect.any(String),
      system: 'stripe',
      name: 'Stripe',
      status: 'active',
    })
    const [row] = await isolated.store.db
      .select()
      .from(connections)
      .where(eq(connections.id, printed.id))
    expect(row?.settings).toEqual({ site: 'add-site' })
    expect(row?.credentials).not.toContain('good-key')

    const args = ['connection', 'add', '--org', org, '--system', 'stripe', '--site', 'add-site']
    const wrong = await roster(source, ...args, '--api-key', 'bad-key')
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toBe(
      'roster: Stripe refused these credentials (Invalid API key provided); check the API key and try again. secrets: Refused by Stripe.\n',
    )
    const noSite = await roster(
      source,
      'connection',
      'add',
      '--org',
      org,
      '--system',
      'stripe',
      '--api-key',
      'good-key',
    )
    expect(noSite.code).toBe(1)
    expect(noSite.stderr).toMatch(/^roster: These settings are not what Stripe needs: --site: /)
    const generic = await roster(
      source,
      'connection',
      'add',
      '--org',
      org,
      '--system',
      'chargebee',
      '--setting',
      'site=add-site',
      '--secret',
      'apiKey=good-key',
      '--secret',
      'webhookSecret=whsec-cli',
      '--name',
      'Billing',
      '--json',
    )
    expect(generic.stderr).toBe('')
    const genericId = JSON.parse(generic.stdout).id as string
    const [genericRow] = await isolated.store.db
      .select()
      .from(connections)
      .where(eq(connections.id, genericId))
    expect(genericRow).toMatchObject({ system: 'chargebee', name: 'Billing' })
    expect(genericRow?.settings).toEqual({ site: 'add-site' })
    expect(genericRow?.credentials).not.toContain('whsec-cli')
    // Its queued first run is not for the next tests' processes to take.
    await isolated.store.db.transaction((tx) =>
      deleteConnection(
        tx,
        { organizationId: row?.organizationId ?? '', actor: cliActor },
        printed.id,
      ),
    )
    await isolated.store.db.transaction((tx) =>
      deleteConnection(
        tx,
        { organizationId: row?.organizationId ?? '', actor: cliActor },
        genericId,
      ),
    )
  })
})

describe('roster sync', () => {
  it('runs the sync, waits, prints the counts, and exits 1 when records were skipped', async () => {
    const org = await newOrg()
    const content: Script = { site: 'sync-site', customers: [acme, customer('cus_b')] }
    const source = await script('sync', content)
    const add = ['connection', 'add', '--org', org, '--system', 'stripe', '--api-key', 'good-key']
    expect((await roster(source, ...add, '--site', 'sync-site')).code).toBe(0)

    const first = await roster(source, 'sync', '--org', org, '--json')
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({
      status: 'completed',
      mode: 'full',
      trigger: 'cli',
      counts: { created: 2, updated: 0, archived: 0, skipped: 0 },
    })

    await writeFile(
      source,
      JSON.stringify({
        ...content,
        customers: [...(content.customers ?? []), customer('cus_bad', { currency: 'euro' })],
      }),
    )
    const second = await roster(source, 'sync', '--org', org)
    expect(second.code).toBe(1)
    expect(second.stdout).toBe(
      'Incremental sync of Stripe completed: 0 created, 0 updated, 0 archived, 1 skipped.\n  skipped cus_bad: It has a currency that is not an ISO code like EUR.\n',
    )
  })

  it('exits 2 with the reason when the run fails', async () => {
    const org = await newOrg()
    const content: Script = { site: 'fail-site', customers: [acme] }
    const source = await script('fail', content)
    const add = ['connection', 'add', '--org', org, '--system', 'stripe', '--api-key', 'good-key']
    const { id } = JSON.parse(
      (await roster(source, ...add, '--site', 'fail-site', '--json')).stdout,
    )
    await writeFile(source, JSON.stringify({ ...content, validKeys: [] }))
    const failed = await roster(
      source,
      'sync',
      '--org',
      org,
      '--connection',
      id,
      '--full',
      '--json',
    )
    expect(failed.code).toBe(2)
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed' })
    expect(failed.stderr).toBe(
      "roster: Stripe refused Roster's credentials (Invalid API key provided). Reconnect the connection with valid credentials.\n",
    )
    const [row] = await isolated.store.db.select().from(connections).where(eq(connections.id, id))
    expect(row?.status).toBe('needs_reconnection')

    // A second connection: `sync` then needs to be told which.
    await isolated.store.db
      .insert(connections)
      .values({ organizationId: row?.organizationId ?? '', system: 'chargebee', name: 'Chargebee' })
    const which = await roster(source, 'sync', '--org', org)
    expect(which.code).toBe(1)
    expect(which.stderr).toMatch(
      /^roster: This organisation has 2 connections: say which with --connection \(/,
    )
  })
})

describe('roster contact-source disconnect', () => {
  it('refuses without --yes, and disconnects with it', async () => {
    const org = await newOrg()
    const source = await script('disconnect', { site: 'd-site' })
    const refused = await roster(source, 'contact-source', 'disconnect', '--org', org)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe(
      'roster: Disconnecting contacts from the invoicing system cannot be undone: add --yes to confirm.\n',
    )
    const done = await roster(
      source,
      'contact-source',
      'disconnect',
      '--org',
      org,
      '--yes',
      '--json',
    )
    expect(done.code).toBe(0)
    expect(JSON.parse(done.stdout)).toMatchObject({
      source: 'roster',
      contactsDisconnected: { by: 'command line' },
    })
  })
})
