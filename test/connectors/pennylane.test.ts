import { execFile } from 'node:child_process'
import { describe, expect, it, onTestFinished } from 'vitest'
import { FullSyncRequiredError } from '../../src/modules/sources/connectors/common.ts'
import { pennylaneConnector } from '../../src/modules/sources/connectors/pennylane/index.ts'
import {
  deletedPennylaneCustomer,
  mapPennylaneCustomer,
} from '../../src/modules/sources/connectors/pennylane/map.ts'
import { changelogItem } from '../../src/modules/sources/connectors/pennylane/schemas.ts'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import { createOrganization } from '../../src/modules/organizations/organizations.service.ts'
import { PennylaneFake } from '../fakes/pennylane/fake-server.ts'
import { isolatedStore } from '../sources/isolated.ts'
import { listedCustomers, synced, track } from '../sources/fakes.ts'
import { client, json, testApp } from '../support.ts'
import { connectorConformance, withFake } from './conformance.ts'
import { sourceError } from './support.ts'
import { connector, syncConformance, syncEnvironment } from './sync-conformance.ts'
import {
  acme,
  changelog,
  changelogCalls,
  customerCalls,
  iso,
  jeanne,
  list,
  pennylaneSpec,
  pennylaneSync,
  people,
  record,
} from './specs/pennylane.ts'

connectorConformance(pennylaneSpec)

// The real Pennylane connector (a fetch client) through the engine, against the Pennylane fake.
const env = await syncEnvironment()
syncConformance(pennylaneSync, env)

const runsOf = async (api: ReturnType<typeof client>, id: string) =>
  json(await api.get(`/api/v1/connections/${id}/runs`)).data as any[]

describe('Pennylane’s contact rule through the engine', () => {
  const { connected, syncNow } = connector(pennylaneSync, env)

  it('makes one contact per address of the email list, the first main, for companies and individuals; a bad address and a bad record are reported, the rest synced', async () => {
    const ids: Record<string, string> = {}
    const setup = await connected((fake) => {
      ids.acme = String(acme(fake).id)
      ids.jeanne = String(jeanne(fake).id)
      ids.none = String(fake.createCustomer({ name: 'Cactus Supply', emails: [] }).id)
      fake.putRawCustomer({
        id: 900,
        customer_type: 'robot',
        name: 'Broken',
        emails: 'x@y.example',
      })
      for (let n = 1; n <= 246; n++) {
        fake.createCustomer({ name: `Client ${n}`, emails: [`c${n}@x.example`] })
      }
    })
    const { fake, api, connection, id } = setup
    expect(connection).toMatchObject({
      system: 'pennylane',
      status: 'active',
      settings: { baseUrl: fake.url },
      isContactSource: true,
    })
    expect(JSON.stringify(connection)).not.toContain(fake.apiToken)
    const [run] = await runsOf(api, id)
    expect(run).toMatchObject({
      status: 'completed',
      counts: { created: 249, updated: 0, archived: 0, skipped: 2 },
    })
    expect(run.errors).toEqual([
      {
        externalId: '900',
        reason: expect.stringMatching(
          /^Pennylane customer 900 could not be read \(customer_type: .*\); fix it in Pennylane\.$/,
        ),
      },
      {
        externalId: `${ids.acme ?? ''}/not an email`,
        reason: `An email of Pennylane customer ${ids.acme ?? ''} was left out: "not an email" is not a valid email address.`,
      },
    ])
    // Every URL is the base URL and the real path.
    expect(fake.requests.every((r) => r.path.startsWith('/api/external/v2/'))).toBe(true)

    const customers = await listedCustomers(api)
    expect(customers).toHaveLength(249)
    expect(customers.every((c) => c.source === 'pennylane')).toBe(true)
    expect(customers.some((c) => c.name === 'Broken')).toBe(false)
    const company = await synced(api, ids.acme ?? '')
    expect(company).toMatchObject({
      name: 'Acme Industries SAS',
      vatNumber: 'FR40123456824',
      address: '12 rue des Lilas',
      postalCode: '75011',
      city: 'Paris',
      country: 'FR',
    })
    expect(company.contacts).toMatchObject([
      { email: 'marie@acme.example', isMain: true, phone: '+33184801234', source: 'pennylane' },
      { email: 'ap@acme.example', isMain: false, phone: null, firstName: null },
    ])
    expect(company.contacts).toHaveLength(2)
    const person = await synced(api, ids.jeanne ?? '')
    expect(person.name).toBe('Jeanne Roux')
    expect(people(person)).toEqual([['jeanne@roux.example', true, 'Jeanne', 'Roux']])
    expect((await synced(api, ids.none ?? '')).contacts).toEqual([])
  })

  it('skips a record that turned malformed without touching what Roster holds, and applies the other changes of the run', async () => {
    const ids: Record<string, string> = {}
    const setup = await connected((fake) => {
      ids.acme = String(acme(fake).id)
      ids.jeanne = String(jeanne(fake).id)
    })
    const { fake, api, id } = setup
    const before = await synced(api, ids.acme ?? '')
    // The API would never say so, but a record may come broken: a number where names go.
    const stored = fake.customers.get(Number(ids.acme))
    if (stored) {
      stored.name = 42
      stored.emails = ['changed@acme.example']
    }
    fake.updateCustomer(ids.acme ?? '', {})
    fake.updateCustomer(ids.jeanne ?? '', { emails: ['jr@roux.example'] })
    expect(await syncNow(setup)).toMatchObject({ status: 'completed', updated: 1, skipped: 1 })
    const [latest] = await runsOf(api, id)
    expect(latest.errors).toEqual([
      { externalId: ids.acme, reason: expect.stringContaining('name') },
    ])
    // Not half-applied: the customer and its contacts are as they were.
    const after = await synced(api, ids.acme ?? '')
    expect(after.name).toBe(before.name)
    expect(people(after)).toEqual(people(before))
    expect(people(await synced(api, ids.jeanne ?? ''))).toEqual([
      ['jr@roux.example', true, 'Jeanne', 'Roux'],
    ])
  })
})

describe('the Pennylane connector on what only Pennylane does', () => {
  const { fake, secrets, full, changes, ids } = withFake(pennylaneSpec)
  const settings = () => pennylaneSpec.settings(fake())

  it('follows the changelog past a page of 1000 with its cursor alone, and reads the changed customers back 100 at a time', async () => {
    const seeded = pennylaneSpec.seed(fake(), 1050)
    const cursor = (await full()).at(-1)?.cursor
    fake().advance(600)
    for (const id of seeded) pennylaneSpec.touch(fake(), id)
    fake().requests.length = 0
    const pages = await changes(cursor)
    expect(pages.map((p) => p.customers.length)).toEqual([...Array(10).fill(100), 50])
    expect(ids(pages)).toEqual(seeded)
    const feed = changelogCalls(fake())
    expect(feed.map((r) => [r.query.has('start_date'), r.query.has('cursor')])).toEqual([
      [true, false],
      [false, true],
    ])
    const reads = customerCalls(fake())
    expect(reads).toHaveLength(11)
    expect(reads.every((r) => r.query.get('limit') === '100' && r.query.has('filter'))).toBe(true)
  })

  it('asks for a full sync when the changelog no longer reaches back to the cursor (4 weeks)', async () => {
    const [id = ''] = pennylaneSpec.seed(fake(), 2)
    const cursor = (await full()).at(-1)?.cursor
    fake().advance(29 * 86_400)
    pennylaneSpec.touch(fake(), id)
    const error = await sourceError(changes(cursor), 'not_found')
    expect(error).toBeInstanceOf(FullSyncRequiredError)
    expect(error.message).toContain('4 weeks')
  })

  it('moves a quiet cursor forward, so weeks without changes never expire it', async () => {
    const [id = ''] = pennylaneSpec.seed(fake(), 2)
    let cursor = (await full()).at(-1)?.cursor
    fake().advance(20 * 86_400)
    const quiet = await changes(cursor)
    expect(ids(quiet)).toEqual([])
    cursor = quiet.at(-1)?.cursor
    expect(cursor).toEqual({ v: 1, after: iso(fake().now() - 60), seen: [] })
    fake().advance(20 * 86_400)
    pennylaneSpec.touch(fake(), id)
    expect(ids(await changes(cursor))).toEqual([id])
  })

  it('archives a customer deleted at Pennylane without reading it, and reports one deleted after its change was read', async () => {
    const [kept = '', gone = '', vanished = ''] = pennylaneSpec.seed(fake(), 3)
    const cursor = (await full()).at(-1)?.cursor
    fake().advance(600)
    pennylaneSpec.touch(fake(), kept)
    pennylaneSpec.remove(fake(), gone)
    // Changed, then deleted while the run reads: its `delete` is not in this run's changelog.
    pennylaneSpec.touch(fake(), vanished)
    fake().customers.delete(Number(vanished))
    const [page] = await changes(cursor)
    expect(page?.customers.map((c) => [c.externalId, c.archived, c.contacts])).toEqual([
      [kept, false, [expect.objectContaining({ email: 'c0@example.com', isMain: true })]],
      [gone, true, []],
    ])
    expect(page?.skipped).toEqual([
      {
        externalId: vanished,
        reason: `Pennylane no longer lists customer ${vanished}; its change was skipped.`,
      },
    ])
    const [read] = customerCalls(fake()).filter((r) => r.query.has('filter'))
    expect(JSON.parse(read?.query.get('filter') ?? '[]')[0].value).toEqual(
      [kept, vanished].map(Number),
    )
  })

  it('reads a changed customer by id when the listing ignored the id filter (its other spelling)', async () => {
    const [first = '', second = ''] = pennylaneSpec.seed(fake(), 150)
    const cursor = (await full()).at(-1)?.cursor
    fake().advance(600)
    pennylaneSpec.rename(fake(), first, 'Renamed')
    pennylaneSpec.touch(fake(), second)
    fake().filterParam = 'filters'
    fake().requests.length = 0
    const [page] = await changes(cursor)
    expect(page?.customers.map((c) => [c.externalId, c.name])).toEqual([
      [first, 'Renamed'],
      [second, 'Company 1'],
    ])
    expect(page?.skipped).toEqual([])
    expect(
      fake()
        .requests.map((r) => r.path)
        .slice(-2),
    ).toEqual([`/api/external/v2/customers/${first}`, `/api/external/v2/customers/${second}`])
  })

  it('says what Pennylane says when it throttles, and waits as long as it asks', async () => {
    pennylaneSpec.seed(fake(), 1)
    fake().failNext(1, { status: 429, retryAfter: 4 })
    const error = await sourceError(full(), 'rate_limited')
    expect(error.message).toBe('Rate limit exceeded. Please retry in 4 seconds.')
    expect(error.retryAfterMs).toBe(4000)
  })

  it('reads a missing scope (403) as credentials to replace, with Pennylane’s reason', async () => {
    fake().failNext(1, { status: 403 })
    const error = await sourceError(pennylaneConnector.check(settings(), secrets()), 'auth_revoked')
    expect(error.message).toBe('Forbidden')
  })

  it('declares no webhooks: Pennylane signs none for customers, its changelog is followed', () => {
    expect('verifyWebhook' in pennylaneConnector).toBe(false)
    expect(pennylaneConnector.descriptor.webhookHeader).toBeNull()
  })
})

describe('mapping a Pennylane customer', () => {
  it('takes a company’s name, VAT number and billing address; its first address is the main contact with its phone', () => {
    const { customer, skipped } = mapPennylaneCustomer(record(42))
    expect(customer).toMatchObject({
      externalId: '42',
      name: 'Boulangerie Petit SAS',
      accountingCode: null,
      vatNumber: 'FR12345678901',
      address: '3 place du Marché',
      postalCode: '35000',
      city: 'Rennes',
      country: 'FR',
      currency: null,
      archived: false,
    })
    // Trimmed, duplicates in any case collapsed into the first, blanks dropped.
    expect(customer?.contacts).toEqual([
      {
        externalId: 'factures@petit.example',
        email: 'factures@petit.example',
        firstName: null,
        lastName: null,
        phone: '+33299001122',
        role: null,
        isMain: true,
      },
      {
        externalId: 'direction@petit.example',
        email: 'Direction@petit.example',
        firstName: null,
        lastName: null,
        phone: null,
        role: null,
        isMain: false,
      },
    ])
    expect(skipped).toEqual([
      {
        externalId: '42/not-an-email',
        reason:
          'An email of Pennylane customer 42 was left out: "not-an-email" is not a valid email address.',
      },
    ])
  })

  it('gives an individual’s main contact the person’s name and phone, the other addresses none', () => {
    const { customer } = mapPennylaneCustomer(record(43))
    expect(customer?.name).toBe('Jeanne Roux')
    expect(
      customer?.contacts.map((c) => [c.email, c.isMain, c.firstName, c.lastName, c.phone]),
    ).toEqual([
      ['jeanne.roux@mail.example', true, 'Jeanne', 'Roux', '+33611223344'],
      ['jeanne@perso.example', false, null, null, null],
    ])
  })

  it('makes the first valid address main when the first entry is not one, reporting each bad entry', () => {
    const { customer, skipped } = mapPennylaneCustomer(record(44))
    expect(customer?.contacts.map((c) => [c.email, c.isMain])).toEqual([
      ['compta@atelier-nord.example', true],
      ['dg@atelier-nord.example', false],
    ])
    expect(customer?.country).toBe('BE')
    expect(skipped.map((s) => s.externalId)).toEqual(['44/compta at atelier', '44/42'])
  })

  it('gives a customer with an empty email list no contacts, and reports nothing', () => {
    expect(mapPennylaneCustomer(record(45))).toMatchObject({
      customer: { name: 'Sans Courriel SA', contacts: [] },
      skipped: [],
    })
  })

  it('skips a record it cannot read, saying why', () => {
    expect(mapPennylaneCustomer(record('46'))).toEqual({
      customer: null,
      skipped: [{ externalId: null, reason: expect.stringContaining('could not be read') }],
    })
    expect(mapPennylaneCustomer(list.items[0] && { ...record(42), name: ' ' })).toEqual({
      customer: null,
      skipped: [
        {
          externalId: '42',
          reason: 'Pennylane customer 42 has no name; give it one in Pennylane.',
        },
      ],
    })
  })

  it('archives a deleted customer with its contacts, and reads the changelog entries', () => {
    expect(deletedPennylaneCustomer(17)).toMatchObject({
      externalId: '17',
      archived: true,
      contacts: [],
    })
    expect(changelog.items.map((item: unknown) => changelogItem.parse(item).operation)).toEqual([
      'update',
      'delete',
    ])
  })
})

describe('Pennylane connection settings', () => {
  it('takes an optional base URL that is a server address only, and needs an API token', () => {
    const { settings, secrets } = pennylaneConnector
    expect(settings.parse({})).toEqual({})
    expect(settings.parse({ baseUrl: 'http://127.0.0.1:4010' })).toEqual({
      baseUrl: 'http://127.0.0.1:4010',
    })
    const withPath = settings.safeParse({ baseUrl: 'https://app.pennylane.com/api/external/v2' })
    expect(withPath.error?.issues[0]?.message).toContain('server address only')
    expect(secrets.safeParse({ apiToken: ' ' }).success).toBe(false)
    expect(secrets.safeParse({ apiKey: 'k' }).success).toBe(false)
    expect(secrets.parse({ apiToken: 't' })).toEqual({ apiToken: 't' })
  })
})

describe('the command line with Pennylane', () => {
  it('connects with --base-url and --secret apiToken=…, and refuses a wrong token saying why', async () => {
    const isolated = await isolatedStore()
    onTestFinished(() => isolated.close())
    const app = await testApp(isolated.store)
    const bin = new URL('../../bin/roster', import.meta.url).pathname
    const roster = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          bin,
          args,
          { env: { ...process.env, ...isolated.env } },
          (error, stdout, stderr) => {
            resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
          },
        )
      })
    const org = await createOrganization(isolated.store.db, {
      name: 'CLI Pennylane',
      country: 'FR',
    })
    const { key } = await createApiKey(isolated.store.db, org.id, { name: 'test' })
    const api = client(app, key)
    const fake = track(await PennylaneFake.start())
    acme(fake)
    fake.advance(120)
    const add = [
      'connection',
      'add',
      '--org',
      org.slug,
      '--system',
      'pennylane',
      '--base-url',
      fake.url,
    ]

    const wrong = await roster(...add, '--secret', 'apiToken=not-the-token', '--json')
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('Pennylane refused these credentials (Unauthorized)')

    const added = await roster(...add, '--secret', `apiToken=${fake.apiToken}`, '--json')
    expect(added.stderr).toBe('')
    const connection = JSON.parse(added.stdout)
    expect(connection).toEqual({
      id: expect.any(String),
      system: 'pennylane',
      name: 'Pennylane',
      status: 'active',
    })
    expect(json(await api.get(`/api/v1/connections/${connection.id as string}`))).toMatchObject({
      settings: { baseUrl: fake.url },
    })
  }, 300_000)
})
