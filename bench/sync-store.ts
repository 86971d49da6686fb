// One store's sync measurements: for each system, a full run of N customers from its fake, then
// an incremental run of 100 changes. Usage: node bench/sync-store.ts <kind> <customers> [systems]
import { startRuntime } from '../src/app/runtime.ts'
import { createOrganization } from '../src/modules/organizations/organizations.service.ts'
import { insertConnection, prepareConnection } from '../src/modules/sources/connections.service.ts'
import { connectors } from '../src/modules/sources/connectors/index.ts'
import { runNextSync, type SyncDeps } from '../src/modules/sources/sync/engine.ts'
import { requestRun } from '../src/modules/sources/sync/runs.service.ts'
import { cliActor } from '../src/platform/auth/scope.ts'
import { systemSpecs, type Fake } from '../test/connectors/specs/index.ts'

const [, customersArg, systemsArg] = process.argv.slice(2)
const customers = Number(customersArg ?? 10_000)
const changes = 100
const only = systemsArg ? systemsArg.split(',') : undefined

export interface SyncMeasure {
  system: string
  customers: number
  full: { seconds: number; created: number; pages: number }
  incremental: { seconds: number; changes: number; updated: number; pages: number }
}

const runtime = await startRuntime({ workers: false, schedule: false })
const { store, queue, vault } = runtime
const deps: SyncDeps = { db: store.db, queue, vault, connectors }
const measures: SyncMeasure[] = []

for (const { connector: spec, sync } of systemSpecs) {
  if (only && !only.includes(sync.system)) continue
  process.stderr.write(`${sync.label}: seeding ${customers.toLocaleString('en')} customers…\n`)
  const fake = (await sync.start()) as Fake
  try {
    const ids = spec.seed(fake, customers)
    sync.later(fake)
    const slug = `bench-${sync.system}-${Date.now()}`
    const org = await createOrganization(store.db, {
      name: `Bench ${sync.label}`,
      slug,
      country: 'FR',
    })
    const scope = { organizationId: org.id, actor: cliActor }
    const prepared = await prepareConnection(
      { vault, connectors },
      org.id,
      { system: sync.system, ...sync.connection(fake) },
      { allowBaseUrl: true },
    )
    const row = await store.db.transaction((tx) => insertConnection(tx, queue, scope, prepared))

    let started = performance.now()
    const full = await runNextSync(deps, org.id, row.id)
    const fullSeconds = (performance.now() - started) / 1000
    if (full?.status !== 'completed') throw new Error(`${sync.label}: full run ${full?.status}`)

    fake.advance(spec.changeGap)
    const step = Math.max(1, Math.floor(ids.length / changes))
    const changed = ids.filter((_, i) => i % step === 0).slice(0, changes)
    for (const id of changed) spec.rename(fake, id, `Renamed ${id}`)
    await store.db.transaction((tx) =>
      requestRun(tx, queue, {
        organizationId: org.id,
        connectionId: row.id,
        full: false,
        trigger: 'cli',
      }),
    )
    started = performance.now()
    const incremental = await runNextSync(deps, org.id, row.id)
    const incrementalSeconds = (performance.now() - started) / 1000
    if (incremental?.status !== 'completed') {
      throw new Error(`${sync.label}: incremental run ${incremental?.status}`)
    }
    measures.push({
      system: sync.label,
      customers,
      full: { seconds: fullSeconds, created: full.created, pages: full.pages },
      incremental: {
        seconds: incrementalSeconds,
        changes: changed.length,
        updated: incremental.updated,
        pages: incremental.pages,
      },
    })
  } finally {
    await fake.stop()
  }
}

await runtime.stop()
process.stdout.write(`${JSON.stringify(measures)}\n`)
