// npm run bench:customers: how fast the customers list answers with 100,000 customers (300,000
// contacts) — a page, deep pages, each order, searches and filters — through the HTTP API.
// Runs on the embedded store in a temporary folder, or on DATABASE_URL's database (a fresh
// organisation there, deleted afterwards). BENCH_CUSTOMERS changes the count.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { sql } from 'drizzle-orm'
import { customersCsv, writeCustomersXlsx } from '../src/modules/customers/export.ts'
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
  ['search, a common contact last name ("durand")', `${base}&q=durand`],
  ['search, a rare contact name, accents folded ("auclair-lefevre")', `${base}&q=auclair-lefevre`],
  ['search, accented word matching nothing ("société")', `${base}&q=soci%C3%A9t%C3%A9`],
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
// The export of every customer, as CSV and as .xlsx: its time, size and the process's peak
// memory above what it held before (the export reads a page of customers at a time).
for (const format of ['csv', 'xlsx'] as const) {
  const rssBefore = process.memoryUsage().rss
  let peak = rssBefore
  let bytes = 0
  const take = (length: number): void => {
    bytes += length
    peak = Math.max(peak, process.memoryUsage().rss)
  }
  started = performance.now()
  if (format === 'csv') {
    const options = { separator: 'semicolon', encoding: 'utf-8-bom' } as const
    for await (const chunk of customersCsv(db, org.id, { sort: 'name' }, options)) {
      take(chunk.length)
    }
  } else {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        take(chunk.length)
        done()
      },
    })
    await writeCustomersXlsx(db, org.id, { sort: 'name' }, sink)
  }
  const ms = performance.now() - started
  const mb = (n: number) => (n / 1_000_000).toFixed(1)
  const name = `export, every customer as ${format} (${mb(bytes)} MB, peak +${mb(peak - rssBefore)} MB)`
  results.push(`| ${store.kind} | ${name} | ${count.toLocaleString('en')} | ${ms.toFixed(0)} ms |`)
  process.stderr.write(`${name}: ${ms.toFixed(0)} ms\n`)
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
