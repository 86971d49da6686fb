// npm run bench: the import benchmark of issue 3 and its targets (issue 15), on the embedded store
// and (with DATABASE_URL) PostgreSQL, at each size of BENCH_LINES (default 100,000 and 1,000,000
// lines, BENCH_CONTACTS contacts per customer, 10 by default), and `roster --help`.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runRoster } from './command.ts'
import { generateFile } from './generate.ts'
import type { Measure } from './run-store.ts'
import { benchStores, inFreshStore, type StoreKind } from './stores.ts'

const perCustomer = Number(process.env.BENCH_CONTACTS ?? 10)
const sizes = (process.env.BENCH_LINES ?? '100000,1000000')
  .split(',')
  .map((n) => Math.round(Number(n) / perCustomer) * perCustomer)
  .filter((n) => n > 0)
  .sort((a, b) => a - b)
const en = (n: number): string => n.toLocaleString('en')

// `roster --help` first: it also builds the CLI's bundle if the sources changed, which the
// imports below must not pay for. Five runs after that one.
await runRoster(['--help'])
const helps = []
for (let i = 0; i < 5; i++) helps.push(await runRoster(['--help']))
const helpSeconds = helps.map((h) => h.seconds).sort((a, b) => a - b)
const helpMb = Math.max(...helps.map((h) => h.peakMb))

const work = await mkdtemp(join(tmpdir(), 'roster-bench-'))
const results: { lines: number; kind: StoreKind; measures: Record<string, Measure> }[] = []
for (const lines of sizes) {
  const customers = lines / perCustomer
  const file = join(work, `customers-and-contacts-${lines}.csv`)
  process.stderr.write(`Generating ${en(lines)} lines…\n`)
  await generateFile(file, customers, perCustomer)
  process.stderr.write(`${file}: ${((await stat(file)).size / 1e6).toFixed(0)} MB\n`)
  for (const kind of benchStores()) {
    const measures = await inFreshStore<Record<string, Measure>>(kind, work, 'run-store.ts', [
      file,
      String(customers),
      String(perCustomer),
    ])
    results.push({ lines, kind, measures })
  }
  await rm(file, { force: true })
}
await rm(work, { recursive: true, force: true })

const labels: Record<string, string> = {
  floor: '(a) COPY floor',
  naive: '(b) naive per-line upsert',
  dryRun: '(f) `roster import --dry-run`',
  import: '(c) `roster import` (dry run + run)',
  reimport: '(e) the same file again',
  preview: '(d) mapping preview ready',
}
const rows: string[] = [
  `Import benchmark: ${perCustomer} contacts per customer, ';', accents; peak memory is the measured process's (the command's, for \`roster\`), the embedded store's server process apart`,
  '',
  '| store | lines | measure | wall time | × floor | rows/s | peak memory | store process | note |',
  '|---|---:|---|---:|---:|---:|---:|---:|---|',
]
for (const { lines, kind, measures } of results) {
  const floor = measures.floor?.seconds ?? Number.NaN
  for (const key of ['floor', 'naive', 'dryRun', 'import', 'reimport', 'preview']) {
    const m = measures[key]
    if (!m) continue
    const seconds = key === 'naive' ? (m.seconds * lines) / m.rows : m.seconds
    const rate = m.rows
      ? en(Math.round(key === 'naive' ? m.rows / m.seconds : lines / seconds))
      : '—'
    const note = key === 'naive' ? `${en(m.rows)} lines, extrapolated` : (m.note ?? '')
    rows.push(
      `| ${kind} | ${en(lines)} | ${labels[key] ?? key} | ${seconds.toFixed(2)} s | ${(seconds / floor).toFixed(1)}× | ${rate} | ${m.peakMb} MB | ${m.storePeakMb === undefined ? '—' : `${m.storePeakMb} MB`} | ${note} |`,
    )
  }
}
rows.push(
  '',
  `\`roster --help\`: ${helpSeconds.map((s) => s.toFixed(2)).join(', ')} s, peak ${helpMb} MB (5 runs)`,
)

const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met')
const checks: string[] = []
const at = (kind: StoreKind, lines: number) =>
  results.find((r) => r.kind === kind && r.lines === lines)?.measures
for (const kind of ['postgres', 'pglite'] as const) {
  for (const lines of sizes) {
    const m = at(kind, lines)
    const floor = m?.floor
    if (!m || !floor || !m.import || !m.reimport || !m.preview) continue
    const times = (x: Measure | undefined): number => (x?.seconds ?? Number.NaN) / floor.seconds
    checks.push(
      `- ${kind}, ${en(lines)} lines: import ${times(m.import).toFixed(1)}× the floor (≤ 3×) — ${verdict(times(m.import) <= 3)}; re-import ${times(m.reimport).toFixed(1)}× (≤ 1×) — ${verdict(times(m.reimport) <= 1)}; preview ${m.preview.seconds.toFixed(2)} s (≤ 1 s) — ${verdict(m.preview.seconds <= 1)}; peak of the import ${m.import.peakMb} MB (≤ 400 MB) — ${verdict(m.import.peakMb <= 400)}`,
    )
  }
  const small = at(kind, sizes[0] ?? 0)?.import
  const large = at(kind, sizes.at(-1) ?? 0)?.import
  if (small && large && sizes.length > 1) {
    const growth = large.peakMb / small.peakMb - 1
    checks.push(
      `- ${kind}: the import's peak memory ${small.peakMb} MB → ${large.peakMb} MB, ${(growth * 100).toFixed(0)} % more (≤ 10 %) — ${verdict(growth <= 0.1)}`,
    )
  }
}
for (const lines of sizes) {
  const postgres = at('postgres', lines)
  const pglite = at('pglite', lines)
  if (!postgres || !pglite) continue
  for (const key of ['import', 'reimport', 'dryRun', 'preview']) {
    const ratio = (pglite[key]?.seconds ?? Number.NaN) / (postgres[key]?.seconds ?? Number.NaN)
    checks.push(
      `- embedded store, ${en(lines)} lines, ${labels[key]}: ${ratio.toFixed(1)}× PostgreSQL's (≤ 2×) — ${verdict(ratio <= 2)}`,
    )
  }
}
checks.push(
  `- \`roster --help\`: ${helpSeconds.at(-1)?.toFixed(2)} s at most (≤ 1 s) — ${verdict((helpSeconds.at(-1) ?? 9) <= 1)}; ${helpMb} MB (≤ 150 MB) — ${verdict(helpMb <= 150)}`,
)
if (!results.some((r) => r.kind === 'postgres')) {
  checks.push('- Set DATABASE_URL to a PostgreSQL server to measure the PostgreSQL targets.')
}
process.stdout.write([...rows, '', 'Targets:', ...checks, ''].join('\n'))
