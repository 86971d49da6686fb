import { execFile } from 'node:child_process'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { listNotifications } from '../../src/modules/notifications/notifications.service.ts'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import { createOrganization } from '../../src/modules/organizations/organizations.service.ts'
import { toAccount } from '../../src/modules/sources/connectors/salesforce/map.ts'
import { caseSafeId } from '../../src/modules/sources/sync/accounts.ts'
import { SalesforceFake } from '../fakes/salesforce/fake-server.ts'
import { StripeFake } from '../fakes/stripe/fake-server.ts'
import { synced, track } from '../sources/fakes.ts'
import { isolatedStore } from '../sources/isolated.ts'
import { client, json, newMember, newOrg, testApp, type Client } from '../support.ts'
import { syncEnvironment } from './sync-conformance.ts'

vi.setConfig({ testTimeout: 60_000 })

const env = await syncEnvironment()

/** An organisation billed through Stripe (the contact source so far), with four customers. */
async function billedThroughStripe() {
  const org = await newOrg(env.store)
  const api = client(env.app, org.key)
  const stripe = track(await StripeFake.start())
  const ids = {
    acme: String(stripe.createCustomer({ name: 'Acme', email: 'billing@acme.example' }).id),
    beta: String(stripe.createCustomer({ name: 'Beta', email: 'billing@beta.example' }).id),
    cactus: String(stripe.createCustomer({ name: 'Cactus', email: 'ap@cactus.example' }).id),
    delta: String(stripe.createCustomer({ name: 'Delta', email: 'ap@delta.example' }).id),
  }
  stripe.advance(60)
  const res = await api.post('/api/v1/connections', {
    system: 'stripe',
    settings: { baseUrl: stripe.url },
    secrets: { apiKey: stripe.apiKey, webhookSecret: stripe.webhookSecret },
  })
  expect(res.statusCode).toBe(201)
  const stripeId: string = json(res).id
  expect(await env.kit.runQueued(org, stripeId)).toMatchObject({ status: 'completed', created: 4 })
  return { org, api, stripe, stripeId, ids }
}

/** Salesforce with an account per customer, one unmatched and two sharing Delta's id. */
async function salesforceFor(ids: { acme: string; beta: string; delta: string }, manager: string) {
  const sf = track(await SalesforceFake.start())
  const acme = sf.addAccount({ Name: 'Acme Corp', AccountNumber: ids.acme, owner: manager })
  const lucie = sf.addContact(acme, {
    FirstName: 'Lucie',
    LastName: 'Moreau',
    Email: 'lucie@acme.example',
    Title: 'Comptable',
  })
  sf.advance(10)
  const hugo = sf.addContact(acme, { FirstName: 'Hugo', LastName: 'Petit', Title: 'Directeur' })
  sf.advance(10)
  const olga = sf.addContact(acme, {
    FirstName: 'Olga',
    LastName: 'Nord',
    Email: 'olga@acme.example',
    HasOptedOutOfEmail: true,
  })
  sf.addRole(acme, lucie, 'Economic Buyer')
  sf.addRole(acme, hugo, 'Decision Maker', true)
  sf.addRole(acme, olga, 'Influencer')
  const beta = sf.addAccount({
    Name: 'Beta',
    AccountNumber: ids.beta,
    owner: 'x@else.example',
  })
  sf.addContact(beta, { LastName: 'Bauer', Email: 'bauer@beta.example' })
  sf.addAccount({ Name: 'Delta One', AccountNumber: ids.delta })
  sf.addAccount({ Name: 'Delta Two', AccountNumber: ids.delta })
  sf.addAccount({ Name: 'Zeta', AccountNumber: 'nobody' })
  sf.advance(60)
  return { sf, acme, lucie, hugo, olga, beta }
}

async function connectSalesforce(api: Client, sf: SalesforceFake, settings = {}) {
  return api.post('/api/v1/connections', {
    system: 'salesforce',
    settings: { baseUrl: sf.url, ...settings },
    secrets: {
      clientId: sf.clientId,
      clientSecret: sf.clientSecret,
      refreshToken: sf.issueRefreshToken(),
    },
  })
}

const contactsOf = async (api: Client, externalId: string) =>
  ((await synced(api, externalId)) as { contacts: any[] }).contacts

async function runErrors(api: Client, id: string): Promise<string[]> {
  const runs = json(await api.get(`/api/v1/connections/${id}/runs`)).data
  return runs[0].errors.map((e: { reason: string }) => e.reason)
}

describe('Salesforce as the contact source', () => {
  it('replaces the billing contacts of matched customers, following the contact rule, and keeps them in step', async () => {
    const { org, api, stripeId, ids } = await billedThroughStripe()
    const manager = await newMember(env.store, org, 'account_manager')
    const { sf, lucie, hugo, olga } = await salesforceFor(ids, manager.email)
    sf.batchSize = 2
    const res = await connectSalesforce(api, sf)
    expect(res.statusCode).toBe(201)
    const sfId: string = json(res).id
    // The token answer names another instance: every data call went to the base URL.
    expect(sf.requests.some((r) => r.path === '/services/oauth2/token')).toBe(true)
    const chosen = await api.put('/api/v1/organization/contact-source', { connectionId: sfId })
    expect(json(chosen)).toMatchObject({ source: 'salesforce' })

    const first = await env.kit.runQueued(org, sfId)
    expect(first).toMatchObject({ status: 'completed', mode: 'full' })
    // Five accounts two at a time: the query's nextRecordsUrl was followed.
    expect(sf.requests.filter((r) => r.path.includes('/query/01g')).length).toBe(2)

    const acme = await synced(api, ids.acme)
    expect(acme.contactsLockedBy).toBe('salesforce')
    expect(acme.accountManagers).toEqual([manager.email])
    expect(
      acme.contacts.map((c: any) => [
        c.externalId,
        c.email,
        c.isMain,
        c.role,
        c.jobTitle,
        c.emailOptedOut,
        c.source,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [lucie, 'lucie@acme.example', true, 'PAYER', 'Comptable', false, 'salesforce'],
        [hugo, null, false, 'PURCHASER', 'Directeur', false, 'salesforce'],
        [olga, 'olga@acme.example', false, null, null, true, 'salesforce'],
      ]),
    )
    // Stripe's contact is replaced, not merged.
    expect(acme.contacts).toHaveLength(3)
    expect((await contactsOf(api, ids.beta)).map((c: any) => c.email)).toEqual([
      'bauer@beta.example',
    ])
    // Unmatched and ambiguous customers keep what they had.
    expect((await contactsOf(api, ids.cactus)).map((c: any) => c.email)).toEqual([
      'ap@cactus.example',
    ])
    expect((await contactsOf(api, ids.delta)).map((c: any) => c.email)).toEqual([
      'ap@delta.example',
    ])
    const errors = await runErrors(api, sfId)
    expect(errors).toEqual(
      expect.arrayContaining([
        `2 accounts (Delta One, Delta Two) have the identifier "${ids.delta}": none of them was imported. Give each account its own identifier.`,
        'The owner of account Beta, x@else.example, is not a member with the account-manager role: the customer keeps its account managers. Invite x@else.example as an account manager.',
        'Hugo Petit (account Acme Corp) has no email: kept, but receives no reminders.',
      ]),
    )

    // Roster refuses edits, naming Salesforce.
    const edit = await api.post(`/api/v1/customers/${acme.id as string}/contacts`, {
      email: 'new@acme.example',
    })
    expect(edit.statusCode).toBe(409)
    expect(json(edit).error.message).toBe(
      'Contacts of this customer are synced from Salesforce: change them in Salesforce.',
    )

    // The billing sync no longer touches them.
    expect(await env.kit.sync(org, stripeId, { full: true })).toMatchObject({ status: 'completed' })
    expect(await contactsOf(api, ids.acme)).toHaveLength(3)

    // A change and a deletion in Salesforce arrive with the next (incremental) run.
    sf.advance(120)
    sf.update(lucie, { Email: 'lucie.moreau@acme.example' })
    sf.delete(hugo)
    const next = await env.kit.sync(org, sfId)
    expect(next).toMatchObject({ status: 'completed', mode: 'incremental' })
    const after = await contactsOf(api, ids.acme)
    expect(after.map((c: any) => c.email).sort()).toEqual([
      'lucie.moreau@acme.example',
      'olga@acme.example',
    ])
    const queries = sf.requests
      .filter((r) => r.path.endsWith('/queryAll'))
      .map((r) => r.query.get('q') ?? '')
    expect(
      queries.some((q) => /FROM Contact WHERE AccountId != null AND SystemModstamp >= /.test(q)),
    ).toBe(true)
  })

  it('brings the contacts at once when chosen as the contact source: a full run is queued', async () => {
    const { org, api, ids } = await billedThroughStripe()
    const { sf } = await salesforceFor(ids, 'nobody@example.com')
    const sfId: string = json(await connectSalesforce(api, sf)).id
    // Its first run, before it is the contact source, leaves the billing contacts alone.
    expect(await env.kit.runQueued(org, sfId)).toMatchObject({ status: 'completed', mode: 'full' })
    expect((await contactsOf(api, ids.acme)).map((c: any) => c.email)).toEqual([
      'billing@acme.example',
    ])
    const chosen = await api.put('/api/v1/organization/contact-source', { connectionId: sfId })
    expect(chosen.statusCode).toBe(200)
    const [queued] = json(await api.get(`/api/v1/connections/${sfId}/runs`)).data
    expect(queued).toMatchObject({ status: 'queued', mode: 'full', trigger: 'manual' })
    expect(await env.kit.runQueued(org, sfId)).toMatchObject({
      id: queued.id,
      status: 'completed',
      mode: 'full',
    })
    const contacts = await contactsOf(api, ids.acme)
    expect(contacts.map((c: any) => c.source)).toEqual(['salesforce', 'salesforce', 'salesforce'])
    expect(contacts.map((c: any) => c.email)).toEqual(
      expect.arrayContaining(['lucie@acme.example', 'olga@acme.example', null]),
    )
    // Choosing it again changes nothing and queues nothing.
    await api.put('/api/v1/organization/contact-source', { connectionId: sfId })
    const [last] = json(await api.get(`/api/v1/connections/${sfId}/runs`)).data
    expect(last).toMatchObject({ id: queued.id, status: 'completed' })
  })

  it('writes account-manager changes to the customer history, by the Salesforce sync', async () => {
    const { org, api, ids } = await billedThroughStripe()
    const manager = await newMember(env.store, org, 'account_manager')
    const { sf } = await salesforceFor(ids, manager.email)
    const sfId: string = json(await connectSalesforce(api, sf)).id
    await api.put('/api/v1/organization/contact-source', { connectionId: sfId })
    expect(await env.kit.runQueued(org, sfId)).toMatchObject({ status: 'completed' })
    const acme = await synced(api, ids.acme)
    expect(acme.accountManagers).toEqual([manager.email])
    const history = json(await api.get(`/api/v1/customers/${acme.id as string}/history`)).data
    const changes = history.filter(
      (e: any) =>
        e.entity === 'customer' &&
        e.action !== 'create' &&
        JSON.stringify(e.before?.accountManagers) !== JSON.stringify(e.after?.accountManagers),
    )
    expect(changes).toEqual([
      expect.objectContaining({
        action: 'update',
        actor: expect.objectContaining({ kind: 'source', label: 'Salesforce sync' }),
        before: expect.objectContaining({ accountManagers: [] }),
        after: expect.objectContaining({ accountManagers: [manager.email] }),
      }),
    ])
    // An unchanged owner writes nothing more.
    expect(await env.kit.sync(org, sfId, { full: true })).toMatchObject({ status: 'completed' })
    const again = json(await api.get(`/api/v1/customers/${acme.id as string}/history`)).data
    expect(again).toHaveLength(history.length)
  })

  it('takes a contact moved to another account off its old customer at the incremental run that sees the move', async () => {
    const { org, api, ids } = await billedThroughStripe()
    const { sf, olga, beta, acme: account } = await salesforceFor(ids, 'nobody@example.com')
    const sfId: string = json(await connectSalesforce(api, sf)).id
    await api.put('/api/v1/organization/contact-source', { connectionId: sfId })
    expect(await env.kit.runQueued(org, sfId)).toMatchObject({ status: 'completed' })
    // A later change moves the cursor past the accounts' creation: the next run lists Beta only.
    sf.advance(60)
    sf.addAccount({ Name: 'Omega', AccountNumber: 'no-customer' })
    expect(await env.kit.sync(org, sfId)).toMatchObject({ status: 'completed', updated: 0 })
    sf.advance(60)
    sf.update(olga, { AccountId: beta })
    sf.requests.length = 0
    expect(await env.kit.sync(org, sfId)).toMatchObject({
      status: 'completed',
      mode: 'incremental',
      updated: 2,
    })
    // Salesforce says nothing of the account the contact left: Acme is not listed again.
    const relisted = sf.requests
      .map((r) => r.query.get('q') ?? '')
      .filter((q) => q.includes(' IN ('))
      .join('\n')
    expect(relisted).toContain(beta)
    expect(relisted).not.toContain(account)
    const acme = await contactsOf(api, ids.acme)
    expect(acme.map((c: any) => c.externalId)).not.toContain(olga)
    expect(acme).toHaveLength(2)
    expect((await contactsOf(api, ids.beta)).map((c: any) => c.email).sort()).toEqual([
      'bauer@beta.example',
      'olga@acme.example',
    ])
    const acmeId: string = (await synced(api, ids.acme)).id
    const history = json(await api.get(`/api/v1/customers/${acmeId}/history`)).data
    expect(history[0]).toMatchObject({
      entity: 'contact',
      action: 'archive',
      before: expect.objectContaining({ email: 'olga@acme.example' }),
    })
  })

  it('reports each bad record on the run and applies the others', async () => {
    const org = await newOrg(env.store)
    const api = client(env.app, org.key)
    const customer = async (name: string, accountingCode: string): Promise<string> =>
      json(await api.post('/api/v1/customers', { name, accountingCode })).id
    const good = await customer('Good', 'G-1')
    const twin = await customer('Twin A', 'T-1')
    await customer('Twin B', 'T-1')
    const sf = track(await SalesforceFake.start())
    const account = sf.addAccount({ Name: 'Good Co', AccountNumber: 'G-1' })
    const bad = sf.addContact(account, { LastName: 'Bad', Email: 'not-an-email' })
    sf.advance(10)
    const first = sf.addContact(account, { LastName: 'First', Email: 'same@good.example' })
    sf.advance(10)
    const second = sf.addContact(account, { LastName: 'Second', Email: 'Same@good.example' })
    sf.addRole(account, first, 'Champion')
    sf.addRole(account, second, 'Billing')
    const twins = sf.addAccount({ Name: 'Twins', AccountNumber: 'T-1' })
    sf.addContact(twins, { LastName: 'Twin', Email: 'twin@twins.example' })
    const sfId: string = json(
      await connectSalesforce(api, sf, { customerField: 'accountingCode' }),
    ).id
    await api.put('/api/v1/organization/contact-source', { connectionId: sfId })
    expect(await env.kit.runQueued(org, sfId)).toMatchObject({ status: 'completed' })
    const contacts = json(await api.get(`/api/v1/customers/${good}/contacts`)).data
    expect(contacts.map((c: any) => [c.externalId, c.email, c.role, c.isMain])).toEqual(
      expect.arrayContaining([
        [bad, null, null, true],
        [first, 'same@good.example', null, false],
        [second, null, 'ACCOUNTING', false],
      ]),
    )
    expect(contacts).toHaveLength(3)
    expect(json(await api.get(`/api/v1/customers/${twin}/contacts`)).data).toEqual([])
    expect(await runErrors(api, sfId)).toEqual(
      expect.arrayContaining([
        `Contact ${bad} of account Good Co has the email "not-an-email", which is not valid: kept without an email, so it receives no reminders.`,
        `Contact ${second} of account Good Co has the same email as another of its contacts (Same@good.example): kept without it.`,
        `Contact ${first} of account Good Co has the role "Champion", which the connection's role table does not map: kept without a role. Add it to the table to give it one.`,
        'Account Twins has the identifier "T-1", which 2 customers carry: it was not imported.',
      ]),
    )
  })

  it('lists matched, ambiguous and unmatched customers, suggests name matches, and applies a confirmed one', async () => {
    const { org, api, ids } = await billedThroughStripe()
    const { sf } = await salesforceFor(ids, 'nobody@example.com')
    const cactus = sf.addAccount({ Name: ' cactus ', AccountNumber: 'CAC-9' })
    sf.addContact(cactus, { LastName: 'Vert', Email: 'vert@cactus.example' })
    const sfId: string = json(await connectSalesforce(api, sf)).id
    await api.put('/api/v1/organization/contact-source', { connectionId: sfId })
    await env.kit.runQueued(org, sfId)
    const url = `/api/v1/connections/${sfId}/matches`
    const matches = json(await api.get(url))
    expect(matches.matched.map((m: any) => [m.customer.name, m.account.name, m.by])).toEqual([
      ['Acme', 'Acme Corp', 'identifier'],
      ['Beta', 'Beta', 'identifier'],
    ])
    expect(matches.ambiguous).toEqual([
      {
        matchValue: ids.delta,
        accounts: [
          expect.objectContaining({ name: 'Delta One' }),
          expect.objectContaining({ name: 'Delta Two' }),
        ],
        customers: [expect.objectContaining({ name: 'Delta', externalId: ids.delta })],
      },
    ])
    expect(
      matches.unmatched.map((u: any) => [u.customer.name, u.suggestions.map((a: any) => a.id)]),
    ).toEqual([
      ['Cactus', [cactus]],
      ['Delta', []],
    ])
    // Never by name on its own: Cactus keeps Stripe's contact until an admin confirms.
    expect((await contactsOf(api, ids.cactus)).map((c: any) => c.email)).toEqual([
      'ap@cactus.example',
    ])
    const customerId: string = matches.unmatched[0].customer.id
    const bad = await api.post(url, { customerId, accountId: '001nothing' })
    expect(bad.statusCode).toBe(404)
    const confirmed = await api.post(url, { customerId, accountId: cactus })
    expect(confirmed.statusCode).toBe(200)
    expect(json(confirmed).matched.map((m: any) => [m.customer.name, m.by])).toContainEqual([
      'Cactus',
      'confirmed',
    ])
    expect(await env.kit.runQueued(org, sfId)).toMatchObject({ mode: 'full', status: 'completed' })
    expect((await contactsOf(api, ids.cactus)).map((c: any) => c.email)).toEqual([
      'vert@cactus.example',
    ])
  })

  it('takes the main contact from the primary role, and roles from an edited table, when set', () => {
    const notes: { externalId: string | null; reason: string }[] = []
    const account = toAccount(
      {
        Id: '001Rf0000000001AAA',
        Name: 'Acme',
        AccountNumber: 'A-1',
        Owner: { Email: 'owner@vendor.example', IsActive: false },
        Contacts: {
          totalSize: 2,
          done: true,
          records: [
            { Id: '003B', Email: 'b@x.example', CreatedDate: '2023-01-01T00:00:00.000+0000' },
            { Id: '003A', Email: 'a@x.example', CreatedDate: '2022-01-01T00:00:00.000+0000' },
          ],
        },
        AccountContactRoles: {
          totalSize: 1,
          done: true,
          records: [{ ContactId: '003B', Role: 'Influencer', IsPrimary: true }],
        },
      },
      { mainContact: 'primary_role', roles: 'Influencer=SALES' },
      notes,
    )
    expect(account.contacts.map((c) => [c.externalId, c.isMain, c.role])).toEqual([
      ['003A', false, null],
      ['003B', true, 'SALES'],
    ])
    expect(account.matchValue).toBe('A-1')
    expect(account.ownerEmail).toBeNull()
    expect(notes[0]?.reason).toContain('is inactive in Salesforce')
  })

  it('normalises 15-character record ids to their 18-character form', () => {
    expect(caseSafeId('001IV00000hHdc7')).toBe('001IV00000hHdc7YAC')
    expect(caseSafeId('001IV00000hHdc7YAC')).toBe('001IV00000hHdc7YAC')
    expect(caseSafeId('ACC-4471')).toBe('ACC-4471')
  })

  it('matches a 15-character id a customer carries with its Account by Id', async () => {
    const { org, api } = await billedThroughStripe()
    const sf = track(await SalesforceFake.start())
    const account = sf.addAccount({ Name: 'Acme' })
    sf.addContact(account, { LastName: 'Roux', Email: 'roux@acme.example' })
    const created = await api.post('/api/v1/customers', {
      name: 'Acme (Roster)',
      accountingCode: account.slice(0, 15),
    })
    expect(created.statusCode).toBe(201)
    const res = await connectSalesforce(api, sf, {
      matchField: 'Id',
      customerField: 'accountingCode',
    })
    const sfId: string = json(res).id
    await api.put('/api/v1/organization/contact-source', { connectionId: sfId })
    await env.kit.runQueued(org, sfId)
    const contacts = json(await api.get(`/api/v1/customers/${json(created).id as string}/contacts`))
    expect(contacts.data.map((c: any) => c.email)).toEqual(['roux@acme.example'])
  })

  it('refuses a match field Account does not have, naming it', async () => {
    const org = await newOrg(env.store)
    const api = client(env.app, org.key)
    const sf = track(await SalesforceFake.start())
    const res = await connectSalesforce(api, sf, { matchField: 'Customer_Nr__c' })
    expect(res.statusCode).toBe(400)
    expect(json(res).error.message).toContain('Account has no field "Customer_Nr__c"')
    const bad = await connectSalesforce(api, sf, { matchField: 'Owner.Email' })
    expect(bad.statusCode).toBe(400)
    expect(json(bad).error.message).toContain('The match field is the API name of an Account field')
    expect(json(await api.get('/api/v1/connections')).data).toEqual([])
  })

  it('marks the connection for reconnection and tells the admins when access is revoked', async () => {
    const { org, api, ids } = await billedThroughStripe()
    const admin = await newMember(env.store, org, 'admin')
    const { sf } = await salesforceFor(ids, 'nobody@example.com')
    const sfId: string = json(await connectSalesforce(api, sf)).id
    sf.revokeAccess()
    const run = await env.kit.runQueued(org, sfId)
    expect(run?.status).toBe('failed')
    const [connection] = json(await api.get('/api/v1/connections')).data.filter(
      (c: any) => c.id === sfId,
    )
    expect(connection.status).toBe('needs_reconnection')
    expect(connection.statusMessage).toContain('Salesforce refused Roster')
    const inbox = await listNotifications(env.store.db, org.id, admin.id, { limit: 10 })
    expect(inbox.data).toMatchObject([
      { kind: 'connection_needs_reconnection', subject: { connectionId: sfId } },
    ])
  })

  it('stops a run before the daily API allocation is spent, and says so', async () => {
    const { org, api, ids } = await billedThroughStripe()
    const { sf } = await salesforceFor(ids, 'nobody@example.com')
    sf.batchSize = 1
    const sfId: string = json(await connectSalesforce(api, sf)).id
    sf.apiLimit = 5
    const run = await env.kit.runQueued(org, sfId)
    expect(run?.status).toBe('failed')
    expect(run?.error).toContain('daily API requests')
  })
})

const isolated = await isolatedStore()
afterAll(() => isolated.close())

describe('the command line with Salesforce', () => {
  const bin = new URL('../../bin/roster', import.meta.url).pathname
  const roster = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(bin, args, { env: { ...process.env, ...isolated.env } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      })
    })

  it(
    'connects with --base-url and the app’s secrets, then becomes the contact source',
    { timeout: 240_000 },
    async () => {
      const sf = track(await SalesforceFake.start())
      const org = await createOrganization(isolated.store.db, {
        name: 'CLI Salesforce',
        country: 'FR',
      })
      const { key } = await createApiKey(isolated.store.db, org.id, { name: 'test' })
      const api = client(await testApp(isolated.store), key)
      const added = await roster(
        'connection',
        'add',
        '--org',
        org.slug,
        '--system',
        'salesforce',
        '--base-url',
        sf.url,
        '--secret',
        `clientId=${sf.clientId}`,
        '--secret',
        `clientSecret=${sf.clientSecret}`,
        '--secret',
        `refreshToken=${sf.issueRefreshToken()}`,
        '--setting',
        'matchField=AccountNumber',
        '--json',
      )
      expect(added.stderr).toBe('')
      const created = JSON.parse(added.stdout)
      expect(created).toEqual({
        id: expect.any(String),
        system: 'salesforce',
        name: 'Salesforce',
        status: 'active',
      })
      // Its first run, before it is the contact source.
      const first = await roster('sync', '--org', org.slug, '--connection', created.id, '--json')
      expect(first.code).toBe(0)
      const set = await roster(
        'contact-source',
        'set',
        '--org',
        org.slug,
        '--connection',
        created.id,
        '--json',
      )
      expect(set.stderr).toBe('')
      expect(JSON.parse(set.stdout)).toMatchObject({ source: 'salesforce' })
      expect(json(await api.get('/api/v1/organization/contact-source')).source).toBe('salesforce')
      // Its contacts come at once: a full run is queued.
      const runs = json(await api.get(`/api/v1/connections/${created.id as string}/runs`)).data
      expect(runs.map((r: any) => [r.status, r.mode, r.trigger])).toEqual([
        ['queued', 'full', 'cli'],
        ['completed', 'full', 'cli'],
      ])
    },
  )
})
