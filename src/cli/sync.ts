import { setTimeout as sleep } from 'node:timers/promises'
import type { Command } from 'commander'
import { z } from 'zod'
import type { SyncRun } from '../contracts/sources.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { findConnectionRow, listConnections } from '../modules/sources/connections.queries.ts'
import { isFinished } from '../modules/sources/sync/lifecycle.ts'
import { findRun, requestRun, syncQueue, toSyncRun } from '../modules/sources/sync/runs.service.ts'
import { systemNames } from '../modules/sources/systems.ts'
import { loadConfig } from '../platform/config.ts'
import type { Store } from '../platform/db/client.ts'
import { AppError, notFound } from '../platform/errors.ts'
import { startQueue, startWorkers } from '../app/jobs.ts'
import { withStore, type CliDeps } from './context.ts'

interface SyncOptions {
  org: string
  connection?: string
  full?: boolean
  json?: boolean
}

/** The connection to sync: the one named, or the organisation's only one. */
async function chooseConnection(store: Store, organizationId: string, id: string | undefined) {
  if (id !== undefined) {
    if (!z.uuid().safeParse(id).success) throw notFound(`Connection "${id}"`)
    return findConnectionRow(store.db, organizationId, id)
  }
  const all = await listConnections(store.db, organizationId, '')
  const [only, ...others] = all
  if (!only) {
    throw new AppError(
      'validation_failed',
      'This organisation has no connection: add one with roster connection add.',
    )
  }
  if (others.length > 0) {
    throw new AppError(
      'validation_failed',
      `This organisation has ${all.length} connections: say which with --connection (${all.map((c) => `${c.id} ${c.name}`).join(', ')}).`,
    )
  }
  return findConnectionRow(store.db, organizationId, only.id)
}

/** Waits for the run's end, whichever process runs it (this one, or a server's worker). */
async function waitForEnd(store: Store, organizationId: string, id: string): Promise<SyncRun> {
  for (;;) {
    const row = await findRun(store.db, organizationId, id)
    if (!row) throw new AppError('conflict', 'The run was removed with its connection.')
    if (isFinished(row.status)) return toSyncRun(row)
    await sleep(250)
  }
}

function report(run: SyncRun, source: string, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(run)}\n`)
    return
  }
  const { created, updated, archived, skipped } = run.counts
  const lines = [
    `${run.mode === 'full' ? 'Full' : 'Incremental'} sync of ${source} ${run.status}: ${created} created, ${updated} updated, ${archived} archived, ${skipped} skipped.`,
    ...run.errors.map((e) => `  skipped ${e.externalId ?? '(no id)'}: ${e.reason}`),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

export function registerSync(program: Command, { connectors }: CliDeps): void {
  program
    .command('sync')
    .description("sync a connection now and wait for the run's end")
    .requiredOption('--org <org>', 'organisation slug or id')
    .option('--connection <id>', 'the connection (default: the only one)')
    .option('--full', 'a full run (every customer listed; those gone are archived)')
    .option('--json', 'print the run as JSON')
    .addHelpText(
      'after',
      '\nExit status: 0 when the run completed, 1 when it completed but skipped records, 2 when it failed.',
    )
    .action(async (opts: SyncOptions) => {
      const config = loadConfig()
      const code = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        const connection = await chooseConnection(store, org.id, opts.connection)
        const queue = await startQueue(store, config)
        let run: SyncRun
        try {
          const queued = await store.db.transaction((tx) =>
            requestRun(tx, queue, {
              organizationId: org.id,
              connectionId: connection.id,
              full: Boolean(opts.full),
              trigger: 'cli',
            }),
          )
          // Working jobs only now: a worker that took the waiting run (the first one that
          // `connection add` queued) before it was joined would make this a second, empty run.
          await startWorkers(queue, store, config, [syncQueue.name], { connectors })
          run = await waitForEnd(store, org.id, queued.id)
        } finally {
          await queue.stop()
        }
        report(run, connection.name || systemNames[connection.system], Boolean(opts.json))
        if (run.status !== 'completed') {
          process.stderr.write(`roster: ${run.error ?? `the run was ${run.status}`}\n`)
          return 2
        }
        return run.counts.skipped > 0 ? 1 : 0
      })
      process.exitCode = code
    })
}
