import { sql } from 'drizzle-orm'
import type { Job, PgBoss, Queue as BossQueue, SendOptions } from 'pg-boss'
import type pg from 'pg'
import type { DbOrTx } from '../db/client.ts'
import { withoutValues } from '../db/errors.ts'

/**
 * How often this process's pg-boss looks for jobs whose worker stopped sending heartbeats (a
 * process killed mid-job) and hands them back: with the jobs' 10-second heartbeats, an interrupted
 * job is taken up again about 15 seconds after its worker died, not at its expiry.
 */
const SUPERVISE_SECONDS = 5

/** Given to a handler with its job: aborted when the job's claim is lost or the process stops. */
export interface JobContext {
  signal: AbortSignal
}

/** Thrown by a handler that stops at a safe point because its process is stopping. */
export class HandedBack extends Error {
  constructor() {
    super('The process stopped: the job was handed back to be resumed by another worker.')
    this.name = 'HandedBack'
  }
}

/** How pg-boss keeps a job's queue: policy, retries, expiry, heartbeats. */
export type QueueSettings = Omit<BossQueue, 'name'>

/**
 * A kind of background work: its queue settings and what a worker does with one job. Modules
 * declare theirs in `*.job.ts`; `jobs.ts` lists them.
 */
export interface JobDefinition<Data extends object, Deps> {
  name: string
  queue: QueueSettings
  /** A cron expression: the job is also sent on this schedule (by the process that schedules). */
  cron?: string
  /**
   * Work that appears without anyone sending a job (rows a trigger writes): each process running
   * the job's worker asks `due` every `everyMs` and, when it answers true, sends the job. Give
   * the queue the `stately` policy, so that one job at a most waits however many processes ask.
   */
  wake?: { everyMs: number; due(deps: Deps): Promise<boolean> }
  /**
   * Does one job. A long job checks `context.signal` between its steps and, once aborted, stops
   * after a step that committed (throwing `HandedBack`): the job is then retried and resumes there.
   */
  handle(deps: Deps, data: Data, job: Job<Data>, context?: JobContext): Promise<void>
}

export function defineJob<Data extends object, Deps>(
  definition: JobDefinition<Data, Deps>,
): JobDefinition<Data, Deps> {
  return definition
}

type PgBossModule = typeof import('pg-boss')

/** pg-boss on the application's own database and connection pool. */
export class Queue {
  readonly boss: PgBoss
  private readonly created = new Set<string>()
  /** Aborted when the process starts stopping: handlers stop at their next safe point. */
  private readonly stopping = new AbortController()
  private running = true
  private readonly timers: NodeJS.Timeout[] = []

  private readonly fromDrizzle: PgBossModule['fromDrizzle']

  private constructor(boss: PgBoss, fromDrizzle: PgBossModule['fromDrizzle']) {
    this.boss = boss
    this.fromDrizzle = fromDrizzle
  }

  static async start(
    pool: pg.Pool,
    options: { schema: string; schedule?: boolean },
  ): Promise<Queue> {
    // Loaded here, not with this module: commands that never start the queue (`--help`) do
    // not pay for it.
    const { PgBoss, fromDrizzle } = await import('pg-boss')
    const boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: options.schema,
      schedule: options.schedule ?? false,
      // The store is ours: pg-boss keeps to its own schema and its own maintenance.
      supervise: true,
      superviseIntervalSeconds: SUPERVISE_SECONDS,
      monitorIntervalSeconds: SUPERVISE_SECONDS,
    })
    // pg-boss reports failures of its own loops here; a job's failure is recorded by the job.
    boss.on('error', (error: unknown) => {
      const safe = withoutValues(error)
      process.emitWarning(`background jobs: ${safe instanceof Error ? safe.message : String(safe)}`)
    })
    await boss.start()
    return new Queue(boss, fromDrizzle)
  }

  async ensure(definition: { name: string; queue: QueueSettings }): Promise<void> {
    if (this.created.has(definition.name)) return
    await this.boss.createQueue(definition.name, definition.queue)
    // A queue created by an earlier version keeps its settings (pg-boss creates a queue only
    // once): its retries, expiry and heartbeats are brought to this code's. Its policy cannot
    // change once it has jobs.
    const { policy: _policy, partition: _partition, ...settings } = definition.queue
    await this.boss.updateQueue(definition.name, settings)
    this.created.add(definition.name)
  }

  /**
   * Enqueues a job in the caller's transaction, so the job exists if and only if the work does.
   * The queue must have been created beforehand (startQueue does it for every job): creating it
   * here would take a second connection while the transaction holds the embedded store's only
   * session.
   */
  async enqueue<Data extends object>(
    tx: DbOrTx,
    definition: JobDefinition<Data, never> | { name: string; queue: QueueSettings },
    data: Data,
    options: SendOptions = {},
  ): Promise<string | null> {
    if (!this.created.has(definition.name)) {
      throw new Error(`The "${definition.name}" queue was not created when the queue started.`)
    }
    return this.boss.send(definition.name, data, { ...options, db: this.fromDrizzle(tx, sql) })
  }

  async work<Data extends object, Deps>(
    definition: JobDefinition<Data, Deps>,
    deps: Deps,
  ): Promise<void> {
    await this.ensure(definition)
    await this.boss.work<Data>(
      definition.name,
      { pollingIntervalSeconds: 0.5, batchSize: 1 },
      async (jobs) => {
        try {
          for (const job of jobs) {
            const signal = AbortSignal.any([job.signal, this.stopping.signal])
            await definition.handle(deps, job.data, job, { signal })
          }
        } catch (error) {
          // pg-boss records a failed job's error in its table: without the statement's values.
          throw withoutValues(error)
        }
      },
    )
    const { wake } = definition
    if (wake) {
      let asking = false
      const timer = setInterval(() => {
        if (asking || !this.running) return
        asking = true
        wake
          .due(deps)
          .then((due) => (due && this.running ? this.boss.send(definition.name, {}) : null))
          .catch((error: unknown) => {
            const safe = withoutValues(error)
            process.emitWarning(
              `background jobs: ${definition.name}: ${safe instanceof Error ? safe.message : String(safe)}`,
            )
          })
          .finally(() => {
            asking = false
          })
      }, wake.everyMs)
      timer.unref()
      this.timers.push(timer)
    }
  }

  /** Sends the job on its cron schedule (pg-boss keeps one schedule per name). */
  async schedule(definition: { name: string; cron?: string }): Promise<void> {
    if (definition.cron) await this.boss.schedule(definition.name, definition.cron)
  }

  /** Whether the queue is started and not stopping (readiness). */
  get started(): boolean {
    return this.running
  }

  /**
   * Cron jobs are sent once across all processes: pg-boss keeps one schedule per name in the
   * database, and of the processes that schedule, one at a time sends what is due.
   * Stopping: no new job is taken; running handlers are told to stop at their next safe point
   * (an import after its current chunk) and are waited for, up to 30 seconds, after which pg-boss
   * fails what is still active, to be retried. Either way the job is taken up again by a worker.
   */
  /** Jobs queued (created or retry), active and failed, per queue, across every process. */
  async counts(): Promise<{ name: string; queued: number; active: number; failed: number }[]> {
    const queues = await this.boss.getQueues([...this.created])
    return queues.map((q) => ({
      name: q.name,
      queued: q.queuedCount,
      active: q.activeCount,
      failed: q.failedCount,
    }))
  }

  async stop(): Promise<void> {
    this.running = false
    for (const timer of this.timers) clearInterval(timer)
    this.stopping.abort()
    await this.boss.stop({ graceful: true, timeout: 30_000 })
  }
}
