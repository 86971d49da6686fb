import { describe, expect, it } from 'vitest'
import { listNotifications } from '../../src/modules/notifications/notifications.service.ts'
import type { SourceSystem } from '../../src/modules/sources/systems.ts'
import { importFile } from '../imports/helpers.ts'
import { client, json, newMember, newOrg, testApp, testQueue, testStore } from '../support.ts'
import {
  listedCustomers,
  listening,
  runSyncNow,
  synced,
  track,
  type Connected,
} from '../sources/fakes.ts'
import { syncKit } from '../sources/helpers.ts'
import type { Fake } from './conformance.ts'

/** The store, an app with its workers, and the engine with instant waits: one per test file. */
export async function syncEnvironment() {
  const store = await testStore()
  const app = await testApp(store, { workers: true })
  const queue = await testQueue(store)
  const kit = syncKit(store, queue, app)
  const base = await listening(app)
  return { store, app, queue, kit, base }
}
export type SyncEnvironment = Awaited<ReturnType<typeof syncEnvironment>>

/** A customer to write at the fake. */
export interface NewCustomer {
  name: string
  email?: string
}

/**
 * One system through the engine, against its fake: how to connect to it and write to it. The
 * `expect…` hooks add the system's own assertions (its contact rule, its cursor) to a scenario.
 */
export interface SyncSpec<F extends Fake> {
  system: SourceSystem
  label: string
  start: () => Promise<F>
  /** The settings and secrets of a connection to the fake, webhook credentials included. */
  connection: (fake: F) => { settings: Record<string, string>; secrets: Record<string, string> }
  /** Time that passes between writing the customers and connecting. */
  later: (fake: F) => void
  /**
   * Acme Industries SAS (Paris), whose main contact comes first; returns its id at the source.
   */
  acme: (fake: F) => string
  create: (fake: F, customer: NewCustomer) => string
  rename: (fake: F, id: string, name: string) => void
  remove: (fake: F, id: string) => void
  /** The customer is gone from the fake without a trace (no deletion event). */
  forget: (fake: F, id: string) => void
  incremental: {
    /** Acme and another customer with contacts, and whatever else the scenario needs. */
    fill: (fake: F) => { acme: string; other: string }
    /** The system's contact changes, after Acme was renamed. */
    change: (fake: F, ids: { acme: string; other: string }) => void
    expect: (api: Connected['api'], ids: { acme: string; other: string }) => Promise<void>
  }
  /** Systems that send webhooks; without it, the webhook scenario is not registered. */
  webhook?: {
    /** A change to Acme that the run the webhook queues brings. */
    change: (fake: F, acme: string) => void
    expectChanged: (api: Connected['api'], acme: string) => Promise<void>
    send: (fake: F, url: string) => Promise<{ status: number; body: string }>
    refused: ((fake: F, url: string) => Promise<{ status: number }>)[]
    /** Systems that take only an empty 200 (the connector's `webhookReply`). */
    reply?: 'empty-200'
  }
  owned: {
    /** A change to a field the system owns, through the API. */
    field: string
    value: unknown
    /** The same through an import: the column, a value, and what Roster keeps. */
    column: string
    imported: string
    kept: Record<string, unknown>
  }
  /** Changes at the source after contacts were disconnected: none reaches Roster's contacts. */
  changeContacts: (fake: F, acme: string) => void
  /** The system's reason for a 500, as the run's error quotes it. */
  serverErrorSays: string
  revokedSays: string
  wrongKey: string
  wrongKeySays: string
  /**
   * Systems whose credentials are more than an API key (OAuth2): the secrets a reconnection
   * sends, refused or good, and how the refusal ends ("connect to Xero again").
   */
  reconnection?: {
    secrets: (fake: F, good: boolean) => Record<string, unknown>
    again: string
  }
  /** Customers per page of a listing: 100 unless the system's largest page is smaller. */
  pageSize?: number
  crash: {
    /** The assertions on the cursor a full run stored after its second page of 250 customers. */
    expectStored: (stored: any, ids: string[]) => void
    expectResumed: (fake: F, stored: any, ids: string[]) => void
    /** How many pages the resumed incremental run counts, when the system says exactly. */
    resumedPages?: number
    /** Before the changes of the interrupted incremental run. */
    beforeChanges: (fake: F) => void
  }
}

/** Connecting organisations to the system's fakes (stopped after the file), first run done. */
export function connector<F extends Fake>(spec: SyncSpec<F>, env: SyncEnvironment) {
  const { store, app, kit } = env

  async function connect(api: Connected['api'], fake: F): Promise<any> {
    const res = await api.post('/api/v1/connections', {
      system: spec.system,
      ...spec.connection(fake),
    })
    expect(res.statusCode, res.body).toBe(201)
    return json(res)
  }

  async function connected(fill: (fake: F) => void = () => undefined, fake?: F) {
    const started = fake ?? track(await spec.start())
    fill(started)
    spec.later(started)
    const org = await newOrg(store)
    const api = client(app, org.key)
    const connection = await connect(api, started)
    const first = await kit.runQueued(org, connection.id)
    expect(first).toMatchObject({ status: 'completed', mode: 'full' })
    return { fake: started, org, api, connection, id: connection.id as string, first }
  }

  return {
    connect,
    connected,
    syncNow: (setup: Connected, body: unknown = {}) => runSyncNow(kit, setup, body),
    contactsOwned: `Contacts of this customer are synced from ${spec.label}: change them in ${spec.label}.`,
  }
}

/** The scenarios every connector passes through the engine, against its fake. */
export function syncConformance<F extends Fake>(spec: SyncSpec<F>, env: SyncEnvironment): void {
  const { store, app, queue, kit, base } = env
  const { label } = spec
  const { connect, connected, syncNow, contactsOwned } = connector(spec, env)

  describe(`${label} synced into Roster`, () => {
    it(`brings a change made at ${label} on the next incremental run (Sync now)`, async () => {
      let ids = { acme: '', other: '' }
      const setup = await connected((fake) => {
        ids = spec.incremental.fill(fake)
      })
      const { fake, api } = setup
      const before = await synced(api, ids.acme)
      spec.rename(fake, ids.acme, 'Acme SA')
      spec.incremental.change(fake, ids)
      const created = spec.create(fake, { name: 'Dune', email: 'ap@dune.example' })
      const run = await syncNow(setup)
      expect(run).toMatchObject({
        status: 'completed',
        mode: 'incremental',
        created: 1,
        updated: 2,
      })
      const after = await synced(api, ids.acme)
      expect(after).toMatchObject({ id: before.id, name: 'Acme SA' })
      expect(after.contacts[0].id).toBe(before.contacts[0].id)
      await spec.incremental.expect(api, ids)
      expect((await synced(api, created)).mainContact.email).toBe('ap@dune.example')
      const again = await syncNow(setup)
      expect(again).toMatchObject({ status: 'completed', created: 0, updated: 0, archived: 0 })
      const runs = json(await api.get(`/api/v1/connections/${setup.id}/runs`)).data
      expect(runs.map((r: any) => [r.mode, r.trigger, r.status])).toEqual([
        ['incremental', 'manual', 'completed'],
        ['incremental', 'manual', 'completed'],
        ['full', 'manual', 'completed'],
      ])
    })
  })

  const { webhook } = spec
  if (webhook)
    describe(`${label} webhooks`, () => {
      it('a proven call queues an incremental run that brings the change; others are refused and run nothing', async () => {
        let acme = ''
        const setup = await connected((fake) => {
          acme = spec.acme(fake)
        })
        const { fake, api, org } = setup
        const url = `${base}/webhooks/${spec.system}/${setup.id}`
        webhook.change(fake, acme)

        const runsBefore = await kit.runs(org, setup.id)
        const refused = []
        for (const send of webhook.refused) refused.push((await send(fake, url)).status)
        expect(refused).toEqual(webhook.refused.map(() => 401))
        expect(await kit.runs(org, setup.id)).toEqual(runsBefore)

        const sent = await webhook.send(fake, url)
        let answer = { runId: expect.any(String) as unknown }
        if (webhook.reply === 'empty-200') {
          expect(sent).toEqual({ status: 200, body: '' })
        } else {
          expect(sent.status).toBe(202)
          answer = JSON.parse(sent.body)
          expect(answer).toEqual({ status: 'queued', reason: null, runId: expect.any(String) })
        }
        const [job] = await queue.boss.findJobs<{ connectionId: string }>('sources.sync', {
          key: setup.id,
          queued: true,
        })
        expect(job?.data).toEqual({ organizationId: org.id, connectionId: setup.id })
        const run = await kit.runQueued(org, job?.data.connectionId ?? '')
        expect(run).toMatchObject({
          id: answer.runId,
          trigger: 'webhook',
          mode: 'incremental',
          status: 'completed',
          updated: 1,
        })
        await webhook.expectChanged(api, acme)
      })
    })

  describe(`a customer deleted at ${label}`, () => {
    it('is archived with its contacts: hidden from lists, kept in history; a full run archives what is no longer listed', async () => {
      const ids: string[] = []
      const setup = await connected((fake) => {
        ids.push(spec.acme(fake))
        ids.push(spec.create(fake, { name: 'Bolt', email: 'ap@bolt.example' }))
        ids.push(spec.create(fake, { name: 'Cactus' }))
      })
      const { fake, api } = setup
      const [acme = '', bolt = ''] = ids
      const gone = await synced(api, acme)
      spec.remove(fake, acme)
      expect(await syncNow(setup)).toMatchObject({ status: 'completed', archived: 1, updated: 0 })
      expect((await listedCustomers(api)).map((c) => c.name)).toEqual(['Bolt', 'Cactus'])
      // Its page still opens, marked archived (GET /customers/:id answers archived ones too).
      const page = await api.get(`/api/v1/customers/${gone.id as string}`)
      expect(json(page).archivedAt).toEqual(expect.any(String))
      for (const contact of gone.contacts) {
        expect((await api.get(`/api/v1/contacts/${contact.id as string}`)).statusCode).toBe(404)
      }
      const history = json(await api.get(`/api/v1/customers/${gone.id as string}/history`)).data
      expect(
        history
          .filter((e: any) => e.action === 'archive')
          .map((e: any) => e.entity)
          .sort(),
      ).toEqual([...gone.contacts.map(() => 'contact'), 'customer'])

      // A full run archives what the system no longer lists, even without its event.
      spec.forget(fake, bolt)
      expect(await syncNow(setup, { full: true })).toMatchObject({
        mode: 'full',
        status: 'completed',
        archived: 1,
        created: 0,
        updated: 0,
      })
      expect((await listedCustomers(api)).map((c) => c.name)).toEqual(['Cactus'])
    })
  })

  describe(`what ${label} owns`, () => {
    it('refuses changes to synced fields and contacts with the source named, through the API and a file import; assignments stay editable', async () => {
      let acme = ''
      const setup = await connected((fake) => {
        acme = spec.acme(fake)
      })
      const { api, org } = setup
      const customer = await synced(api, acme)
      const { owned } = spec
      const res = await api.patch(`/api/v1/customers/${customer.id as string}`, {
        [owned.field]: owned.value,
      })
      expect(res.statusCode).toBe(409)
      expect(json(res).error).toMatchObject({
        code: 'source_owned',
        message: `This customer is synced from ${label}: change ${owned.field} in ${label}.`,
      })
      const contactId = customer.contacts.at(-1).id as string
      for (const refused of [
        await api.patch(`/api/v1/contacts/${contactId}`, { firstName: 'Ann' }),
        await api.patch(`/api/v1/contacts/${contactId}`, { isMain: true }),
        await api.post(`/api/v1/customers/${customer.id as string}/contacts`, {
          email: 'new@acme.example',
        }),
        await api.delete(`/api/v1/contacts/${contactId}`),
      ]) {
        expect(refused.statusCode).toBe(409)
        expect(json(refused).error).toMatchObject({ code: 'source_owned', message: contactsOwned })
      }
      const manager = await newMember(store, org, 'account_manager')
      expect((await api.post('/api/v1/workflows', { name: 'Key accounts' })).statusCode).toBe(201)
      const assigned = await api.patch(`/api/v1/customers/${customer.id as string}`, {
        accountManagers: [manager.email],
        workflow: 'Key accounts',
      })
      expect(assigned.statusCode).toBe(200)
      expect(json(assigned)).toMatchObject({
        accountManagers: [manager.email],
        workflow: 'Key accounts',
      })

      const name = customer.name as string
      const main = customer.contacts[0]
      const file = `Customer ID;Customer name;${owned.column};Contact email;First name\n${acme};${name};${owned.imported};;\n${acme};${name};;${main.email as string};Ann\n`
      const imported = await importFile({ app, key: org.key }, file)
      const rejected = json(await api.get(`/api/v1/imports/${imported.id}/rejected-lines`)).data
      expect(rejected).toMatchObject([
        {
          line: 2,
          column: owned.column,
          value: owned.imported,
          reason: `This customer is synced from ${label}: change it in ${label}.`,
        },
        { line: 3, column: 'Contact email', value: main.email, reason: contactsOwned },
      ])
      const after = await synced(api, acme)
      expect(after).toMatchObject({
        ...owned.kept,
        workflow: 'Key accounts',
        accountManagers: [manager.email],
      })
      expect(after.contacts[0].firstName).toBe(main.firstName)
    })

    it('after the disconnect: contacts are editable, later syncs update the customer and leave contacts alone, switching back is refused', async () => {
      let acme = ''
      const setup = await connected((fake) => {
        acme = spec.acme(fake)
      })
      const { fake, api } = setup
      const customer = await synced(api, acme)
      const done = await api.post('/api/v1/organization/contact-source/disconnect', {
        confirm: 'DISCONNECT',
      })
      expect(done.statusCode).toBe(200)
      expect(json(done)).toMatchObject({ source: 'roster', connection: null })
      const main = customer.contacts[0].id as string
      expect((await api.patch(`/api/v1/contacts/${main}`, { firstName: 'Paula' })).statusCode).toBe(
        200,
      )
      const added = await api.post(`/api/v1/customers/${customer.id as string}/contacts`, {
        email: 'ceo@acme.example',
      })
      expect(added.statusCode).toBe(201)

      spec.rename(fake, acme, 'Acme SA')
      spec.changeContacts(fake, acme)
      expect(await syncNow(setup)).toMatchObject({ status: 'completed', updated: 1 })
      const after = await synced(api, acme)
      expect(after.name).toBe('Acme SA')
      expect(after.contacts.map((c: any) => [c.email, c.firstName, c.isMain, c.source])).toEqual([
        ...customer.contacts.map((c: any, n: number) => [
          c.email,
          n === 0 ? 'Paula' : c.firstName,
          c.isMain,
          'roster',
        ]),
        ['ceo@acme.example', null, false, 'roster'],
      ])
      const back = await api.put('/api/v1/organization/contact-source', {
        connectionId: setup.id,
      })
      expect(back.statusCode).toBe(409)
      expect(json(back).error.message).toMatch(/^Contacts were disconnected/)
    })
  })

  describe(`${label} failures`, () => {
    it(`waits as long as ${label} asks after a 429 and backs off on errors, then completes; fails readably when they last`, async () => {
      const setup = await connected((fake) => {
        spec.acme(fake)
      })
      const { fake } = setup
      spec.create(fake, { name: 'Bolt', email: 'ap@bolt.example' })
      fake.failNext(2, { status: 429, retryAfter: 3 })
      kit.waits.length = 0
      expect(await syncNow(setup)).toMatchObject({ status: 'completed', created: 1 })
      expect(kit.waits).toEqual([3000, 3000])

      spec.create(fake, { name: 'Cactus', email: 'ap@cactus.example' })
      fake.failNext(1, { status: 429, retryAfter: 2 })
      fake.failNext(2, { status: 503 })
      kit.waits.length = 0
      expect(await syncNow(setup)).toMatchObject({ status: 'completed', created: 1 })
      // The back-off grows with each failure of the same page, whatever the kind.
      expect(kit.waits).toEqual([2000, 2000, 4000])

      fake.failNext(5, { status: 500 })
      const failed = await syncNow(setup)
      expect(failed).toMatchObject({ status: 'failed' })
      expect(failed?.error).toBe(
        `${label} could not be reached after 5 tries (${spec.serverErrorSays}). The next run continues from the last page applied.`,
      )
      expect(await syncNow(setup)).toMatchObject({ status: 'completed' })
    })

    it('a revoked key stops the connection, tells the admins and fails the run readably; a new key syncs again', async () => {
      const setup = await connected((fake) => {
        spec.acme(fake)
      })
      const { fake, api, org } = setup
      const admin = await newMember(store, org, 'admin')
      fake.revokeKey()
      spec.create(fake, { name: 'Bolt', email: 'ap@bolt.example' })
      const failed = await syncNow(setup)
      expect(failed).toMatchObject({ status: 'failed' })
      expect(failed?.error).toBe(
        `${label} refused Roster's credentials (${spec.revokedSays}). Reconnect the connection with valid credentials.`,
      )
      const shown = json(await api.get(`/api/v1/connections/${setup.id}`))
      expect(shown).toMatchObject({ status: 'needs_reconnection', statusMessage: failed?.error })
      const inbox = await listNotifications(store.db, org.id, admin.id, { limit: 10 })
      expect(inbox.data).toMatchObject([
        {
          kind: 'connection_needs_reconnection',
          title: `${label} needs to be reconnected`,
          subject: { connectionId: setup.id },
        },
      ])
      expect((await api.post(`/api/v1/connections/${setup.id}/sync`, {})).statusCode).toBe(409)

      const reconnection = spec.reconnection ?? {
        secrets: (f: F, good: boolean) => ({ apiKey: good ? f.apiKey : spec.wrongKey }),
        again: 'check the API key and try again',
      }
      const wrong = await api.patch(`/api/v1/connections/${setup.id}`, {
        secrets: reconnection.secrets(fake, false),
      })
      expect(wrong.statusCode).toBe(400)
      expect(json(wrong).error.message).toBe(
        `${label} refused these credentials (${spec.wrongKeySays}); ${reconnection.again}.`,
      )
      const reconnected = await api.patch(`/api/v1/connections/${setup.id}`, {
        secrets: reconnection.secrets(fake, true),
      })
      expect(json(reconnected)).toMatchObject({ status: 'active', statusMessage: null })
      expect(await syncNow(setup)).toMatchObject({ status: 'completed', created: 1 })
    })
  })

  describe(`the ${label} cursor, stored with each page`, () => {
    it('lets an interrupted full run and an interrupted incremental run resume, nothing lost or counted twice', async () => {
      const size = spec.pageSize ?? 100
      const fake = track(await spec.start())
      const ids = Array.from({ length: 250 }, (_, n) =>
        spec.create(fake, { name: `C${n}`, email: `c${n}@x.example` }),
      )
      spec.later(fake)
      const org = await newOrg(store)
      const api = client(app, org.key)
      const { id } = await connect(api, fake)
      const crash = (at: number) => ({
        afterPage: (pages: number) => {
          if (pages === at) throw new Error('the worker died')
        },
      })

      await expect(kit.runQueued(org, id, crash(2))).rejects.toThrow('the worker died')
      const [cut] = await kit.runs(org, id)
      expect(cut).toMatchObject({ status: 'running', pages: 2, created: 2 * size })
      const stored = (await kit.connectionRow(org, id)).cursor as any
      spec.crash.expectStored(stored, ids)
      fake.requests.length = 0
      const resumed = await kit.runQueued(org, id)
      expect(resumed).toMatchObject({ id: cut?.id, status: 'completed', pages: 3, created: 250 })
      spec.crash.expectResumed(fake, stored, ids)
      expect(await listedCustomers(api)).toHaveLength(250)

      spec.crash.beforeChanges(fake)
      for (const [n, customer] of ids.slice(0, 150).entries()) {
        spec.rename(fake, customer, `Renamed ${n}`)
      }
      await api.post(`/api/v1/connections/${id}/sync`, {})
      await expect(kit.runQueued(org, id, crash(1))).rejects.toThrow('the worker died')
      const [, cutIncremental] = await kit.runs(org, id)
      expect(cutIncremental).toMatchObject({ mode: 'incremental', pages: 1, updated: size })
      const done = await kit.runQueued(org, id)
      expect(done).toMatchObject({ status: 'completed', updated: 150, created: 0 })
      if (spec.crash.resumedPages) expect(done?.pages).toBe(spec.crash.resumedPages)
      const names = (await listedCustomers(api)).map((c) => c.name as string)
      expect(names.filter((n) => n.startsWith('Renamed'))).toHaveLength(150)
      expect(await syncNow({ api, org, id })).toMatchObject({ updated: 0, created: 0 })
    })
  })
}
