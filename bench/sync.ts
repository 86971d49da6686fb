// npm run bench:sync: a full sync of BENCH_SYNC_CUSTOMERS (10,000) customers from each system's
// fake, then an incremental run of 100 changes, on the embedded store and (with DATABASE_URL)
// PostgreSQL. BENCH_SYSTEMS=stripe,xero picks systems; BENCH_STORES picks stores.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SyncMeasure } from './sync-store.ts'
import { benchStores, inFreshStore } from './stores.ts'

const customers = Number(process.env.BENCH_SYNC_CUSTOMERS ?? 10_000)
const systems = process.env.BENCH_SYSTEMS ?? ''
const work = await mkdtemp(join(tmpdir(), 'roster-bench-sync-'))

const rows: string[] = [
  `Sync benchmark: a full run of ${customers.toLocaleString('en')} customers from each system's fake, then an incremental run of 100 changes`,
  '',
  '| store | system | full run | customers/s | pages | incremental (100 changes) | updated |',
  '|---|---|---:|---:|---:|---:|---:|',
]
try {
  for (const kind of benchStores()) {
    const measures = await inFreshStore<SyncMeasure[]>(kind, work, 'sync-store.ts', [
      String(customers),
      ...(systems ? [systems] : []),
    ])
    for (const m of measures) {
      rows.push(
        `| ${kind} | ${m.system} | ${m.full.seconds.toFixed(2)} s | ${Math.round(m.full.created / m.full.seconds).toLocaleString('en')} | ${m.full.pages} | ${m.incremental.seconds.toFixed(2)} s | ${m.incremental.updated} of ${m.incremental.changes} |`,
      )
    }
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
process.stdout.write(`${rows.join('\n')}\n`)
