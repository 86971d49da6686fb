import type pg from 'pg'
import { runImportJob } from '../../modules/imports/imports.job.ts'
import { deliverNotification } from '../../modules/notifications/notifications.job.ts'
import {
  connectors as registeredConnectors,
  type Connectors,
} from '../../modules/sources/connectors/index.ts'
import { scheduleSyncs, syncConnection } from '../../modules/sources/sync/sync.job.ts'
import { openVault, type Vault } from '../auth/encryption.ts'
import { maintainStore } from '../db/maintenance.job.ts'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import { Queue, type JobDefinition } from './queue.ts'

/** What every job handler is given. */
export interface JobDeps {
  db: Db
  queue: Queue
  config: Config
  vault: Vault
  connectors: Connectors
}

/** Every kind of background job; a module adds its `*.job.ts` definitions here. */
export const jobs: JobDefinition<never, JobDeps>[] = [
  runImportJob,
  deliverNotification,
  syncConnection,
  scheduleSyncs,
  maintainStore,
]

/**
 * Starts pg-boss and creates a queue for every job; with `workers` (true, or the names of some
 * jobs), also runs the jobs in this process: the web server runs them all, a CLI command that
 * waits for a job runs that kind while it waits;
 * with `schedule`, also sends the jobs that have a cron on their schedule (the web server).
 * The queues are created here, before anything enqueues: creating one on the first enqueue would
 * take a second connection while the caller's transaction holds the embedded store's only
 * session, and wait forever.
 */
export async function startQueue(
  store: { db: Db; pool: pg.Pool },
  config: Config,
  options: {
    workers?: boolean | readonly string[]
    schedule?: boolean
    /** The connector of each system (Roster's own unless given: tests give scripted ones). */
    connectors?: Connectors
  } = {},
): Promise<Queue> {
  const queue = await Queue.start(store.pool, { schedule: options.schedule })
  for (const job of jobs) await queue.ensure(job)
  if (options.schedule) for (const job of jobs) await queue.schedule(job)
  const { workers = false } = options
  if (workers !== false) await startWorkers(queue, store, config, workers, options.connectors)
  return queue
}

/** Runs these jobs (all of them with true) in this process, on a queue startQueue started. */
export async function startWorkers(
  queue: Queue,
  store: { db: Db },
  config: Config,
  workers: true | readonly string[],
  connectors: Connectors = registeredConnectors,
): Promise<void> {
  const deps = { db: store.db, queue, config, vault: openVault(config), connectors }
  for (const job of jobs) {
    if (workers === true || workers.includes(job.name)) await queue.work(job, deps)
  }
}
