// One store's measurements, in its own process so peak memory is this store's alone.
// Usage: node bench/run-store.ts <pglite|postgres> <file> <customers> <contactsPerCustomer>
import { randomUUID, createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { unaccent } from '@electric-sql/pglite/contrib/unaccent'
import { from as copyFrom } from 'pg-copy-streams'
import { createImport } from '../src/modules/imports/imports.service.ts'
import { cliActor } from '../src/platform/auth/scope.ts'
import { createOrganization } from '../src/modules/organizations/organizations.service.ts'
import { loadConfig } from '../src/platform/config.ts'
import { openStore, type Store } from '../src/platform/db/client.ts'
import { runRoster } from './command.ts'
import { benchLine, HEADER } from './generate.ts'

const [kind, file, customersArg, perArg] = process.argv.slice(2)
if (!kind || !file || !customersArg || !perArg) throw new Error('usage: run-store.ts kind file n k')
const customers = Number(customersArg)
const perCustomer = Number(perArg)
const lines = customers * perCustomer

export interface Measure {
  rows: number
  seconds: number
  peakMb: number
  /** The embedded store's server process, when it is one. */
  storePeakMb?: number
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

/** The embedded store's server: the child process this one started when it opened the store. */
async function embeddedServer(): Promise<number | undefined> {
  for (const task of await readdir('/proc/self/task')) {
    const children = await readFile(`/proc/self/task/${task}/children`, 'utf8')
    for (const pid of children.trim().split(' ').filter(Boolean).map(Number)) {
      const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      if (command.includes('pglite-server')) return pid
    }
  }
  return undefined
}

/** Peak memory of another process since `resetPeak` (the kernel's high-water mark), in MB. */
async function peakOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return Math.round(kib / 1024)
}
const resetPeak = (pid: number): Promise<void> => writeFile(`/proc/${pid}/clear_refs`, '5')

interface ImportJson {
  status: string
  customers: { created: number; updated: number; unchanged: number }
  contacts: { created: number; updated: number; unchanged: number }
  rejected: unknown[]
}

async function main(): Promise<void> {
  if (!file) return
  const store = await openStore(loadConfig())
  const server = kind === 'pglite' ? await embeddedServer() : undefined
  const slug = `bench-${randomUUID().slice(0, 8)}`
  const org = await createOrganization(store.db, { name: 'Bench', slug, country: 'FR' })
  const scope = { organizationId: org.id, actor: cliActor }
  const results: Record<string, Measure> = {}

  // Mapping suggestions and preview once the bytes are here; the original is stored meanwhile
  // (awaited before the next measure, which would otherwise share the cores with it).
  const upload = {
    path: file,
    fileName: 'bench.csv',
    size: (await stat(file)).size,
    sha256: await hashFile(file),
  }
  let stored: Promise<void> = Promise.resolve()
  results.preview = await measure(0, async () => {
    stored = (await createImport(store.db, scope, upload, {})).stored
  })
  results.preview.note = 'in this process'
  await stored

  // `roster import` as a user runs it, next to this process's store (the embedded store's server
  // is shared, as with `roster serve`): wall time and the command's own peak memory; the embedded
  // store's server process is reported on its own.
  const mappingFile = join(dirname(file), 'mapping.json')
  await writeFile(
    mappingFile,
    JSON.stringify(Object.fromEntries(HEADER.map((column, i) => [column, mapping[i]]))),
  )
  const command = async (rows: number, extra: string[]): Promise<[Measure, ImportJson]> => {
    if (server) await resetPeak(server)
    const run = await runRoster([
      'import',
      file,
      '--org',
      slug,
      '--mapping',
      mappingFile,
      '--json',
      ...extra,
    ])
    const outcome = JSON.parse(run.stdout) as ImportJson
    if (run.code !== 0) throw new Error(`roster import exited ${run.code}: ${run.stdout}`)
    const measured: Measure = { rows, seconds: run.seconds, peakMb: run.peakMb }
    if (server) measured.storePeakMb = await peakOf(server)
    return [measured, outcome]
  }
  const [dryRun, planned] = await command(lines, ['--dry-run'])
  results.dryRun = dryRun
  if (planned.contacts.created !== lines) {
    throw new Error(`dry run: ${JSON.stringify(planned)}`)
  }
  const [first, imported] = await command(lines, [])
  results.import = first
  if (imported.status !== 'completed' || imported.contacts.created !== lines) {
    throw new Error(`import: ${JSON.stringify(imported)}`)
  }
  // The same file again: nothing changes, so nothing should be written.
  const [again, unchanged] = await command(lines, [])
  results.reimport = again
  if (unchanged.contacts.unchanged !== lines || unchanged.customers.unchanged !== customers) {
    throw new Error(`re-import changed lines: ${JSON.stringify(unchanged)}`)
  }

  const sample = Math.min(20_000, lines)
  results.naive = await naive(store, org.id, sample)
  // Last: PGlite's floor holds the whole file in this process, which would inflate the peaks.
  results.floor =
    kind === 'postgres' ? await floorPostgres(store, org.id) : await floorPglite(org.id)
  clearInterval(sampler)
  await store.close()
  process.stdout.write(JSON.stringify(results) + '\n')
}

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

await main()
