// npm run bench: the import benchmark of issue 3, on PGlite and (with DATABASE_URL) PostgreSQL.
// BENCH_CUSTOMERS and BENCH_CONTACTS change the file's size (default 100,000 × 10 = 1M lines).
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateFile } from './generate.ts'
import type { Measure } from './run-store.ts'
import { benchStores, inFreshStore, type StoreKind } from './stores.ts'

const customers = Number(process.env.BENCH_CUSTOMERS ?? 100_000)
const perCustomer = Number(process.env.BENCH_CONTACTS ?? 10)
const lines = customers * perCustomer

const work = await mkdtemp(join(tmpdir(), 'roster-bench-'))
const file = join(work, 'customers-and-contacts.csv')
process.stderr.write(`Generating ${lines.toLocaleString('en')} lines…\n`)
await generateFile(file, customers, perCustomer)
process.stderr.write(`${file}: ${((await stat(file)).size / 1e6).toFixed(0)} MB\n`)

const results: Partial<Record<StoreKind, Record<string, Measure>>> = {}
for (const kind of benchStores()) {
  results[kind] = await inFreshStore<Record<string, Measure>>(kind, work, 'run-store.ts', [
    file,
    String(customers),
    String(perCustomer),
  ])
}

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
  reimport: '(e) the same file again',
  preview: '(d) mapping preview ready',
}
for (const [kind, measures] of Object.entries(results)) {
  for (const key of ['floor', 'naive', 'import', 'reimport', 'preview']) {
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
  if (postgres.reimport) {
    const again = postgres.reimport.seconds / postgres.floor.seconds
    checks.push(`- (e) within 1× of (a): ${again.toFixed(1)}× — ${verdict(again <= 1)}`)
  }
} else {
  checks.push('- Set DATABASE_URL to a PostgreSQL server to measure the PostgreSQL targets.')
}
process.stdout.write([...rows, '', 'Targets on PostgreSQL:', ...checks, ''].join('\n'))
await rm(work, { recursive: true, force: true })
