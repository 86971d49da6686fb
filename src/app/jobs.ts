import type pg from 'pg'
import { discardAbandonedImportsJob, runImportJob } from '../modules/imports/imports.job.ts'
import { deliverNotification } from '../modules/notifications/notifications.job.ts'
import {
  connectors as registeredConnectors,
  type Connectors,
} from '../modules/sources/connectors/index.ts'
import { sendAccountEmail } from '../modules/organizations/account-emails.job.ts'
import { sendReminder } from '../modules/reminders/reminders.job.ts'
import { deliverWebhooks, pruneWebhooks } from '../modules/webhooks/webhooks.job.ts'
import { scheduleSyncs, syncConnection } from '../modules/sources/sync/sync.job.ts'
import { openVault, type Vault } from '../platform/auth/encryption.ts'
import type { Config } from '../platform/config.ts'
import type { Db } from '../platform/db/client.ts'
import { maintainStore } from '../platform/db/maintenance.job.ts'
import type { Metrics } from '../platform/metrics.ts'
import { Queue, type JobDefinition } from '../platform/queue/queue.ts'

/**
 * Seams a test gives the workers it starts, passed to the handlers with their other deps; a
 * production process gives none.
 */
export interface JobHooks {
  /** Awaited after each chunk an import job commits; throwing stops the run as a crash would. */
  afterImportChunk?: (chunk: number) => Promise<void> | void
  /** Deliver only these organisations' outbound webhooks: the test's own. */
  webhookOrganizations?: readonly string[]
}

/** What every job handler is given. */
export interface JobDeps {
  db: Db
  queue: Queue
  config: Config
  vault: Vault
  connectors: Connectors
  hooks?: JobHooks
  /** The process's metrics: import lines applied, sync runs ended. */
  metrics?: Metrics
}

/** Every kind of background job; a module adds its `*.job.ts` definitions here. */
export const jobs: JobDefinition<never, JobDeps>[] = [
  runImportJob,
  discardAbandonedImportsJob,
  deliverNotification,
  sendAccountEmail,
  sendReminder,
  syncConnection,
  scheduleSyncs,
  maintainStore,
  deliverWebhooks,
  pruneWebhooks,
]

/** Which jobs a process runs: all (true), none (false), or these names. */
export type WorkerSelection = boolean | readonly string[]

/**
 * Starts pg-boss and creates a queue for every job; with `workers`, also runs those jobs in this
 * process; with `schedule`, also sends the jobs that have a cron on their schedule.
 * The queues are created here, before anything enqueues: creating one on the first enqueue would
 * take a second connection while the caller's transaction holds the embedded store's only
 * session, and wait forever.
 */
export async function startQueue(
  store: { db: Db; pool: pg.Pool },
  config: Config,
  options: {
    workers?: WorkerSelection
    schedule?: boolean
    /** The connector of each system (Roster's own unless given: tests give scripted ones). */
    connectors?: Connectors
    hooks?: JobHooks
    metrics?: Metrics
  } = {},
): Promise<Queue> {
  const queue = await Queue.start(store.pool, {
    schema: config.queueSchema,
    schedule: options.schedule,
  })
  for (const job of jobs) await queue.ensure(job)
  if (options.schedule) for (const job of jobs) await queue.schedule(job)
  const { workers = false } = options
  if (workers !== false) {
    await startWorkers(queue, store, config, workers, options)
  }
  return queue
}

/** Runs these jobs (all of them with true) in this process, on a queue startQueue started. */
export async function startWorkers(
  queue: Queue,
  store: { db: Db },
  config: Config,
  workers: true | readonly string[],
  options: { connectors?: Connectors; hooks?: JobHooks; metrics?: Metrics } = {},
): Promise<void> {
  const deps: JobDeps = {
    db: store.db,
    queue,
    config,
    vault: openVault(config),
    connectors: options.connectors ?? registeredConnectors,
    hooks: options.hooks,
    metrics: options.metrics,
  }
  for (const job of jobs) {
    // ROSTER_WEBHOOK_DELIVERY=0: other processes deliver the webhooks.
    if (job === deliverWebhooks && !config.webhooks.deliver) continue
    if (workers === true || workers.includes(job.name)) await queue.work(job, deps)
  }
}
