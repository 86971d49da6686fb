// npm run bench: the import benchmark of issue 3, on PGlite and (with DATABASE_URL) PostgreSQL.
// BENCH_CUSTOMERS and BENCH_CONTACTS change the file's size (default 100,000 × 10 = 1M lines).
import { execFile } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { generateFile } from './generate.ts'
import type { Measure } from './run-store.ts'

const customers = Number(process.env.BENCH_CUSTOMERS ?? 100_000)
const perCustomer = Number(process.env.BENCH_CONTACTS ?? 10)
const lines = customers * perCustomer
const run = promisify(execFile)

const work = await mkdtemp(join(tmpdir(), 'roster-bench-'))
const file = join(work, 'customers-and-contacts.csv')
process.stderr.write(`Generating ${lines.toLocaleString('en')} lines…\n`)
await generateFile(file, customers, perCustomer)
process.stderr.write(`${file}: ${((await stat(file)).size / 1e6).toFixed(0)} MB\n`)

async function measureStore(kind: 'pglite' | 'postgres'): Promise<Record<string, Measure>> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  let cleanup = (): Promise<void> => Promise.resolve()
  if (kind === 'pglite') {
    delete env.DATABASE_URL
    env.ROSTER_DATA_DIR = await mkdtemp(join(work, 'pglite-'))
  } else {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await admin.connect()
    const database = `roster_bench_${Date.now()}`
    await admin.query(`create database ${database}`)
    await admin.end()
    const url = new URL(process.env.DATABASE_URL ?? '')
    url.pathname = `/${database}`
    env.DATABASE_URL = url.toString()
    cleanup = async () => {
      const again = new pg.Client({ connectionString: process.env.DATABASE_URL })
      await again.connect()
      await again.query(`drop database if exists ${database} with (force)`)
      await again.end()
    }
  }
  process.stderr.write(`Measuring on ${kind}…\n`)
  try {
    const { stdout } = await run(
      process.execPath,
      [
        '--expose-gc',
        new URL('./run-store.ts', import.meta.url).pathname,
        kind,
        file,
        String(customers),
        String(perCustomer),
      ],
      { env, maxBuffer: 16 * 1024 * 1024 },
    )
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, Measure>
  } finally {
    await cleanup()
  }
}

// BENCH_STORES=postgres (or pglite) measures one store only.
const only = process.env.BENCH_STORES?.split(',')
const candidates: ('pglite' | 'postgres')[] = process.env.DATABASE_URL
  ? ['postgres', 'pglite']
  : ['pglite']
const stores = candidates.filter((kind) => !only || only.includes(kind))
const results: Partial<Record<'pglite' | 'postgres', Record<string, Measure>>> = {}
for (const kind of stores) results[kind] = await measureStore(kind)

const rate = (m: Measure): string =>
  m.rows ? Math.round(m.rows / m.seconds).toLocaleString('en') : '—'
const rows: string[] = [
  `Import benchmark: ${lines.toLocaleString('en')} lines (${customers.toLocaleString('en')} customers × ${perCustomer} contacts, ';', accents)`,
  '',
  '| store | measure | rows/s | wall time | peak memory | note |',
  '|---|---|---:|---:|---:|---|',
]
const labels: Record<string, string> = {
  floor: '(a) COPY floor',
  naive: '(b) naive per-line upsert',
  import: '(c) Roster import, end to end',
  preview: '(d) mapping preview ready',
}
for (const [kind, measures] of Object.entries(results)) {
  for (const key of ['floor', 'naive', 'import', 'preview']) {
    const m = measures[key]
    if (!m) continue
    const seconds = key === 'naive' ? (m.seconds * lines) / m.rows : m.seconds
    rows.push(
      `| ${kind} | ${labels[key] ?? key} | ${rate(m)} | ${seconds.toFixed(2)} s | ${m.peakMb} MB | ${m.note ?? ''} |`,
    )
  }
}
const checks: string[] = []
const postgres = results.postgres
if (postgres?.floor && postgres.naive && postgres.import && postgres.preview) {
  const naiveSeconds = (postgres.naive.seconds * lines) / postgres.naive.rows
  const versusFloor = postgres.import.seconds / postgres.floor.seconds
  const versusNaive = naiveSeconds / postgres.import.seconds
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met')
  checks.push(
    `- (c) within 3× of (a): ${versusFloor.toFixed(1)}× — ${verdict(versusFloor <= 3)}`,
    `- (c) at least 30× faster than (b): ${versusNaive.toFixed(0)}× — ${verdict(versusNaive >= 30)}`,
    `- peak memory of the import under 400 MB: ${postgres.import.peakMb} MB — ${verdict(postgres.import.peakMb < 400)}`,
    `- (d) under 1 s: ${postgres.preview.seconds.toFixed(2)} s — ${verdict(postgres.preview.seconds < 1)}`,
  )
} else {
  checks.push('- Set DATABASE_URL to a PostgreSQL server to measure the PostgreSQL targets.')
}
process.stdout.write([...rows, '', 'Targets on PostgreSQL:', ...checks, ''].join('\n'))
await rm(work, { recursive: true, force: true })
