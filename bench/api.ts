// npm run bench:api: requests/s and latency of the customers search through a running Roster
// (`roster serve`, API limits raised by its configuration) with 100,000 customers and 20 clients
// at once, on the embedded store and (with DATABASE_URL) PostgreSQL. BENCH_CUSTOMERS,
// BENCH_SECONDS (20 per search) and BENCH_CONNECTIONS (20) change it; BENCH_STORES picks stores.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ApiMeasure } from './api-store.ts'
import { benchStores, inFreshStore } from './stores.ts'

const customers = Number(process.env.BENCH_CUSTOMERS ?? 100_000)
const seconds = Number(process.env.BENCH_SECONDS ?? 20)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20)
const work = await mkdtemp(join(tmpdir(), 'roster-bench-api-'))

const rows: string[] = [
  `API benchmark: the customers search (50 a page) with ${customers.toLocaleString('en')} customers, ${connections} clients at once for ${seconds} s each`,
  '',
  '| store | search | requests/s | p50 | p99 | requests | failed |',
  '|---|---|---:|---:|---:|---:|---:|',
]
try {
  for (const kind of benchStores()) {
    const measures = await inFreshStore<ApiMeasure[]>(kind, work, 'api-store.ts', [
      String(customers),
      String(seconds),
      String(connections),
    ])
    for (const m of measures) {
      rows.push(
        `| ${kind} | ${m.search} | ${m.requestsPerSecond.toFixed(0)} | ${m.p50} ms | ${m.p99} ms | ${m.requests.toLocaleString('en')} | ${m.failed} |`,
      )
    }
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
process.stdout.write(`${rows.join('\n')}\n`)
