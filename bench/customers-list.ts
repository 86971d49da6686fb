// npm run bench:customers: how fast the customers list answers with 100,000 customers (300,000
// contacts) — a page, deep pages, each order, searches and filters — through the HTTP API.
// Runs on the embedded store in a temporary folder, or on DATABASE_URL's database (a fresh
// organisation there, deleted afterwards). BENCH_CUSTOMERS changes the count.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { loadConfig } from '../src/platform/config.ts'
import { openStore } from '../src/platform/db/client.ts'
import { organizations } from '../src/platform/db/schema/index.ts'
import { buildApp } from '../src/app/http.ts'
import { startQueue } from '../src/app/jobs.ts'
import { openVault } from '../src/platform/auth/encryption.ts'
import { seedCustomers } from './seed-customers.ts'

const count = Number(process.env.BENCH_CUSTOMERS ?? 100_000)
const dataDir = process.env.DATABASE_URL ? '' : await mkdtemp(join(tmpdir(), 'roster-list-'))
const config = { ...loadConfig(), ...(dataDir ? { dataDir } : {}) }
const store = await openStore(config)
const queue = await startQueue(store, config, {})
const app = await buildApp({
  db: store.db,
  queue,
  vault: openVault(config),
  publicUrl: config.publicUrl,
  // It asks for thousands of pages in a few seconds, more than a key may.
  apiLimits: { requestsPerMinute: 1_000_000, concurrent: 100 },
})
const { db } = store

const org = await seedCustomers(db, count)
const { key } = org
let started = performance.now()

async function get(url: string): Promise<{ data: { name: string }[]; nextCursor: string | null }> {
  const res = await app.inject({ url, headers: { authorization: `Bearer ${key}` } })
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** The median of five runs, after one to warm up. */
async function time(url: string): Promise<{ ms: number; rows: number }> {
  const first = await get(url)
  const runs: number[] = []
  for (let i = 0; i < 5; i++) {
    started = performance.now()
    await get(url)
    runs.push(performance.now() - started)
  }
  runs.sort((a, b) => a - b)
  return { ms: runs[2] ?? 0, rows: first.data.length }
}

/** The cursor of page `n` (the 100 customers after the first 100 × n), followed page by page. */
async function cursorOfPage(query: string, n: number): Promise<string> {
  let cursor = ''
  for (let i = 0; i < n; i++) {
    const page = await get(
      `/api/v1/customers?limit=100&${query}${cursor ? `&cursor=${cursor}` : ''}`,
    )
    cursor = page.nextCursor ?? ''
  }
  return cursor
}

const base = '/api/v1/customers?limit=100'
const sample = await get(`${base}&sort=-createdAt`)
const someName = sample.data[7]?.name ?? ''
const cases: [string, string][] = [
  ['first page, by name', base],
  ['page 500 by name (cursor)', `${base}&cursor=${await cursorOfPage('sort=name', 500)}`],
  ['first page, by customer ID descending', `${base}&sort=-externalId`],
  [
    'page 950 by customer ID (customers without one)',
    `${base}&sort=externalId&cursor=${await cursorOfPage('sort=externalId', 950)}`,
  ],
  ['first page, newest first', `${base}&sort=-createdAt`],
  ['search, common word ("acme")', `${base}&q=acme`],
  ['search, one customer by name', `${base}&q=${encodeURIComponent(someName)}`],
  ['search, a contact email', `${base}&q=ap2.`],
  ['search, no match', `${base}&q=zzzz-nothing`],
  ['filter: workflow', `${base}&workflow=Gentle`],
  ['filter: source stripe', `${base}&source=stripe`],
  ['filter: account manager', `${base}&accountManager=am3@bench.example`],
  ['search + source + sort', `${base}&q=globex&source=roster&sort=-externalId`],
]
const results: string[] = []
for (const [name, url] of cases) {
  const { ms, rows } = await time(url)
  results.push(`| ${store.kind} | ${name} | ${rows} | ${ms.toFixed(1)} ms |`)
  process.stderr.write(`${name}: ${ms.toFixed(1)} ms (${rows} rows)\n`)
}
process.stdout.write(
  `\n| store | request (${count.toLocaleString('en')} customers) | rows | median |\n`,
)
process.stdout.write('| --- | --- | ---: | ---: |\n')
process.stdout.write(results.join('\n') + '\n')

await db.delete(organizations).where(sql`${organizations.id} = ${org.id}`)
await app.close()
await queue.stop()
await store.close()
if (dataDir) await rm(dataDir, { recursive: true, force: true })
