// One store's measurements, in its own process so peak memory is this store's alone.
// Usage: node bench/run-store.ts <pglite|postgres> <file> <customers> <contactsPerCustomer>
import { randomUUID, createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { unaccent } from '@electric-sql/pglite/contrib/unaccent'
import { eq } from 'drizzle-orm'
import { from as copyFrom } from 'pg-copy-streams'
import { runImport } from '../src/modules/imports/apply/run.ts'
import { createImport, setMapping } from '../src/modules/imports/imports.service.ts'
import { cliActor } from '../src/platform/auth/scope.ts'
import { createOrganization } from '../src/modules/organizations/organizations.service.ts'
import { loadConfig } from '../src/platform/config.ts'
import { openStore, type Store } from '../src/platform/db/client.ts'
import { imports } from '../src/platform/db/schema/index.ts'
import { benchLine } from './generate.ts'

const [kind, file, customersArg, perArg] = process.argv.slice(2)
if (!kind || !file || !customersArg || !perArg) throw new Error('usage: run-store.ts kind file n k')
const customers = Number(customersArg)
const perCustomer = Number(perArg)
const lines = customers * perCustomer

export interface Measure {
  rows: number
  seconds: number
  peakMb: number
  note?: string
}

let peak = 0
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss)
}, 50)
async function measure(rows: number, run: () => Promise<void>): Promise<Measure> {
  global.gc?.()
  peak = process.memoryUsage().rss
  const started = performance.now()
  await run()
  const seconds = (performance.now() - started) / 1000
  peak = Math.max(peak, process.memoryUsage().rss)
  return { rows, seconds, peakMb: Math.round(peak / (1024 * 1024)) }
}

const tsv = (value: string | null): string =>
  value === null ? '\\N' : value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')

/** The benchmark's rows as COPY text: its customers, then its contacts. */
function* copyRows(organizationId: string, table: 'customers' | 'contacts'): Generator<string> {
  for (let c = 0; c < customers; c++) {
    const customerId = `00000000-0000-4000-8000-${String(c).padStart(12, '0')}`
    if (table === 'customers') {
      const l = benchLine(c, 0)
      yield (
        [organizationId, customerId, l[0], l[1], l[2], l[3], l[4], 'FR']
          .map((v) => tsv(v ?? null))
          .join('\t') + '\n'
      )
      continue
    }
    let chunk = ''
    for (let k = 0; k < perCustomer; k++) {
      const l = benchLine(c, k)
      chunk +=
        [
          organizationId,
          randomUUID(),
          customerId,
          l[6],
          l[7],
          l[8],
          l[9],
          l[10] ? l[10].toUpperCase() : null,
          k === 0 ? 't' : 'f',
        ]
          .map((v) => tsv(v ?? null))
          .join('\t') + '\n'
    }
    yield chunk
  }
}

const customerColumns =
  'organization_id, id, name, external_id, address, postal_code, city, country'
const contactColumns =
  'organization_id, id, customer_id, email, first_name, last_name, phone, role, is_main'

async function floorPostgres(store: Store, organizationId: string): Promise<Measure> {
  const client = await store.pool.connect()
  try {
    await client.query('drop schema if exists bench_floor cascade')
    await client.query('create schema bench_floor')
    await client.query('create table bench_floor.customers (like public.customers including all)')
    await client.query('create table bench_floor.contacts (like public.contacts including all)')
    return await measure(customers + lines, async () => {
      for (const table of ['customers', 'contacts'] as const) {
        const columns = table === 'customers' ? customerColumns : contactColumns
        await pipeline(
          Readable.from(copyRows(organizationId, table)),
          client.query(copyFrom(`copy bench_floor.${table} (${columns}) from stdin`)),
        )
      }
    })
  } finally {
    await client.query('drop schema if exists bench_floor cascade')
    client.release()
  }
}

/** PGlite has no COPY FROM STDIN over the wire; its own COPY reads a blob in process. */
async function floorPglite(organizationId: string): Promise<Measure> {
  // The extensions the migrations create (as the embedded store loads them).
  const pglite = new PGlite({ extensions: { pg_trgm, unaccent } })
  const folder = new URL('../drizzle/', import.meta.url).pathname
  for (const name of (await readdir(folder)).filter((f) => f.endsWith('.sql')).sort()) {
    for (const statement of (await readFile(folder + name, 'utf8')).split(
      '--> statement-breakpoint',
    )) {
      await pglite.exec(statement)
    }
  }
  await pglite.query('insert into organizations (id, name, slug) values ($1, $2, $3)', [
    organizationId,
    'Bench',
    'bench',
  ])
  const blobs = {
    customers: new Blob([...copyRows(organizationId, 'customers')]),
    contacts: new Blob([...copyRows(organizationId, 'contacts')]),
  }
  const result = await measure(customers + lines, async () => {
    await pglite.query(`copy customers (${customerColumns}) from '/dev/blob'`, [], {
      blob: blobs.customers,
    })
    await pglite.query(`copy contacts (${contactColumns}) from '/dev/blob'`, [], {
      blob: blobs.contacts,
    })
  })
  await pglite.close()
  return { ...result, note: 'in-process PGlite, COPY from a blob' }
}

/** What a first version would do: two upserts per line, one line at a time. */
async function naive(store: Store, organizationId: string, sample: number): Promise<Measure> {
  const client = await store.pool.connect()
  try {
    const result = await measure(sample, async () => {
      for (let i = 0; i < sample; i++) {
        const l = benchLine(Math.floor(i / perCustomer), i % perCustomer)
        const { rows } = await client.query<{ id: string }>(
          `insert into customers (organization_id, name, external_id, address, postal_code, city, country)
           values ($1, $2, $3, $4, $5, $6, 'FR')
           on conflict (organization_id, external_id) do update set name = excluded.name,
             address = excluded.address, postal_code = excluded.postal_code, city = excluded.city
           returning id`,
          [organizationId, l[0], `naive-${l[1] ?? ''}`, l[2], l[3], l[4]],
        )
        await client.query(
          `insert into contacts (organization_id, customer_id, email, first_name, last_name, phone)
           values ($1, $2, $3, $4, $5, $6)
           on conflict (organization_id, customer_id, lower(email)) where archived_at is null do update
             set first_name = excluded.first_name, last_name = excluded.last_name, phone = excluded.phone`,
          [organizationId, rows[0]?.id, l[6], l[7], l[8], l[9]],
        )
      }
    })
    return { ...result, note: `${sample} lines, extrapolated` }
  } finally {
    client.release()
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk)
  return hash.digest('hex')
}

async function main(): Promise<void> {
  if (!file) return
  const store = await openStore(loadConfig())
  const slug = `bench-${randomUUID().slice(0, 8)}`
  const org = await createOrganization(store.db, { name: 'Bench', slug, country: 'FR' })
  const scope = { organizationId: org.id, actor: cliActor }
  const results: Record<string, Measure> = {}

  const upload = {
    path: file,
    fileName: 'bench.csv',
    size: (await stat(file)).size,
    sha256: await hashFile(file),
  }
  let importId = ''
  results.preview = await measure(0, async () => {
    importId = (await createImport(store.db, scope, upload, {})).row.id
  })
  const phases: Record<string, number> = {}
  const mapping = [
    'customer.name',
    'customer.externalId',
    'customer.address',
    'customer.postalCode',
    'customer.city',
    'customer.country',
    'contact.email',
    'contact.firstName',
    'contact.lastName',
    'contact.phone',
    'contact.role',
    'contact.isMain',
  ] as const
  results.import = await measure(lines, async () => {
    let started = performance.now()
    const { row } = await setMapping(store.db, org.id, importId, [...mapping])
    phases.dryRun = (performance.now() - started) / 1000
    if (row.dryRun && (row.dryRun as { lines: { rejected: number } }).lines.rejected > 0) {
      throw new Error(`bench lines rejected: ${JSON.stringify(row.dryRun)}`)
    }
    started = performance.now()
    await store.db.update(imports).set({ status: 'queued' }).where(eq(imports.id, importId))
    await runImport(store.db, org.id, importId)
    phases.run = (performance.now() - started) / 1000
  })
  results.import.note = `dry run ${phases.dryRun?.toFixed(1)} s + run ${phases.run?.toFixed(1)} s; store in a child process`
  const [done] = await store.db.select().from(imports).where(eq(imports.id, importId))
  if (done?.status !== 'completed')
    throw new Error(`import ${done?.status ?? '?'}: ${done?.error ?? ''}`)
  // The same file again, as the wizard does it (upload, mapping with its dry run, run): nothing
  // changes, so nothing should be written.
  results.reimport = await measure(lines, async () => {
    let started = performance.now()
    const again = (await createImport(store.db, scope, upload, {})).row.id
    await setMapping(store.db, org.id, again, [...mapping])
    phases.reDryRun = (performance.now() - started) / 1000
    started = performance.now()
    await store.db.update(imports).set({ status: 'queued' }).where(eq(imports.id, again))
    await runImport(store.db, org.id, again)
    phases.reRun = (performance.now() - started) / 1000
    const [row] = await store.db.select().from(imports).where(eq(imports.id, again))
    const summary = row?.summary as { lines: { unchanged: number } } | null | undefined
    if (summary?.lines.unchanged !== lines) {
      throw new Error(`re-import changed lines: ${JSON.stringify(summary)}`)
    }
  })
  results.reimport.note = `dry run ${phases.reDryRun?.toFixed(1)} s + run ${phases.reRun?.toFixed(1)} s`
  const sample = Math.min(20_000, lines)
  results.naive = await naive(store, org.id, sample)
  // Last: PGlite's floor holds the whole file in this process, which would inflate the peaks.
  results.floor =
    kind === 'postgres' ? await floorPostgres(store, org.id) : await floorPglite(org.id)
  clearInterval(sampler)
  await store.close()
  process.stdout.write(JSON.stringify(results) + '\n')
}

await main()
