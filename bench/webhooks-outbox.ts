// What the outbound webhooks' outbox trigger costs an import: the same 10,000-line file (5,000
// customers × 2 contacts) imported into fresh organisations with the trigger off, on with no
// endpoint anywhere, on with an endpoint in another organisation only, and on with an endpoint
// of the importing organisation subscribed to every event. Run with `node bench/webhooks-outbox.ts`
// (DATABASE_URL for PostgreSQL, else the embedded store in ROSTER_DATA_DIR or ./data-bench).
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import { buildApp } from '../src/app/http.ts'
import { startQueue } from '../src/app/jobs.ts'
import { createApiKey } from '../src/modules/organizations/api-keys.service.ts'
import { createOrganization } from '../src/modules/organizations/organizations.service.ts'
import { openVault } from '../src/platform/auth/encryption.ts'
import { loadConfig } from '../src/platform/config.ts'
import { openStore } from '../src/platform/db/client.ts'
import { webhookEventTypes } from '../src/contracts/webhooks.ts'

const customers = Number(process.env.BENCH_CUSTOMERS ?? 5000)
const contactsEach = 2
const env = { ...process.env }
if (!env.DATABASE_URL) env.ROSTER_DATA_DIR ??= './data-bench'
const config = loadConfig(env)
const store = await openStore(config)
const queue = await startQueue(store, config, { workers: ['imports.run'] })
const app = await buildApp({
  db: store.db,
  queue,
  vault: openVault(config),
  publicUrl: config.publicUrl,
  apiLimits: { requestsPerMinute: 1_000_000, concurrent: 1_000 },
})

const lines = ['Customer name;Customer ID;City;Contact email;First name']
for (let c = 0; c < customers; c++) {
  for (let k = 0; k < contactsEach; k++) {
    lines.push(`Customer ${c};C-${c};Lyon;p${k}.c${c}@example.com;Élodie`)
  }
}
const file = lines.join('\n') + '\n'

async function newOrg() {
  const slug = `b-${randomUUID().slice(0, 12)}`
  const org = await createOrganization(store.db, { name: slug, slug, country: 'FR' })
  const { key } = await createApiKey(store.db, org.id, { name: 'bench' })
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${key}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
  return { id: org.id, key, call }
}

async function endpointIn(org: { id: string }) {
  // Inserted as the API would, without looking the host up: nothing is delivered here.
  await store.db.execute(sql`insert into webhook_endpoints (organization_id, url, events, secret)
    values (${org.id}, 'https://example.com/hooks', ${`{${webhookEventTypes.join(',')}}`}, 'x')`)
}

async function importInto(org: Awaited<ReturnType<typeof newOrg>>): Promise<number> {
  const boundary = `----bench${randomUUID()}`
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.csv"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    Buffer.from(file),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  const uploaded = await app.inject({
    method: 'POST',
    url: '/api/v1/imports',
    headers: {
      authorization: `Bearer ${org.key}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    payload: body,
  })
  const preview = uploaded.json<{ id: string; suggestedMapping: unknown[] }>()
  await org.call('PUT', `/imports/${preview.id}/mapping`, { mapping: preview.suggestedMapping })
  const started = performance.now()
  await org.call('POST', `/imports/${preview.id}/start`, {})
  for (;;) {
    const record = (await org.call('GET', `/imports/${preview.id}`)).json<{
      finishedAt: string | null
      status: string
    }>()
    if (record.finishedAt) {
      if (record.status !== 'completed') throw new Error(`import ${record.status}`)
      return (performance.now() - started) / 1000
    }
    await sleep(100)
  }
}

const trigger = (on: boolean) =>
  store.db.execute(
    sql.raw(
      `alter table audit_events ${on ? 'enable' : 'disable'} trigger audit_events_webhook_outbox`,
    ),
  )

const results: Record<string, number[]> = {}
// The import's plan meets statistics of import_lines taken while it was empty (autovacuum after
// the last run deleted its lines) with a row-by-row join that takes minutes: an issue of the plan,
// not of the trigger, kept out of this measure by leaving that table's statistics alone.
await store.db.execute(sql`alter table import_lines set (autovacuum_enabled = false)`)

const measure = async (name: string, prepare: (org: { id: string }) => Promise<unknown>) => {
  const org = await newOrg()
  await prepare(org)
  const seconds = await importInto(org)
  const outbox = await store.db.execute(
    sql`select count(*)::int as n from webhook_outbox where organization_id = ${org.id}`,
  )
  ;(results[name] ??= []).push(seconds)
  process.stderr.write(
    `${name}: ${seconds.toFixed(2)} s, ${String((outbox.rows[0] as { n: number }).n)} outbox rows\n`,
  )
  return org
}

for (let round = 0; round < Number(process.env.BENCH_ROUNDS ?? 1); round++) {
  await measure('trigger off', () => trigger(false))
  await measure('no endpoint anywhere', () => trigger(true))
  await endpointIn(await newOrg())
  await measure('endpoint in another organisation', () => Promise.resolve())
  await measure('endpoint in this organisation', (org) => endpointIn(org))
  await store.db.execute(sql`delete from webhook_endpoints`)
}
console.log(JSON.stringify({ lines: customers * contactsEach, results }))
await app.close()
await queue.stop()
await store.close()
