import { sql } from 'drizzle-orm'
import { fromDrizzle, PgBoss, type Job, type Queue as BossQueue, type SendOptions } from 'pg-boss'
import type pg from 'pg'
import type { DbOrTx } from '../db/client.ts'
import { withoutValues } from '../db/errors.ts'

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
  handle(deps: Deps, data: Data, job: Job<Data>): Promise<void>
}

export function defineJob<Data extends object, Deps>(
  definition: JobDefinition<Data, Deps>,
): JobDefinition<Data, Deps> {
  return definition
}

/** pg-boss on the application's own database and connection pool. */
export class Queue {
  readonly boss: PgBoss
  private readonly created = new Set<string>()

  private constructor(boss: PgBoss) {
    this.boss = boss
  }

  static async start(
    pool: pg.Pool,
    options: { schema: string; schedule?: boolean },
  ): Promise<Queue> {
    const boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: options.schema,
      schedule: options.schedule ?? false,
      // The store is ours: pg-boss keeps to its own schema and its own maintenance.
      supervise: true,
    })
    // pg-boss reports failures of its own loops here; a job's failure is recorded by the job.
    boss.on('error', (error: unknown) => {
      const safe = withoutValues(error)
      process.emitWarning(`background jobs: ${safe instanceof Error ? safe.message : String(safe)}`)
    })
    await boss.start()
    return new Queue(boss)
  }

  async ensure(definition: { name: string; queue: QueueSettings }): Promise<void> {
    if (this.created.has(definition.name)) return
    await this.boss.createQueue(definition.name, definition.queue)
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
    return this.boss.send(definition.name, data, { ...options, db: fromDrizzle(tx, sql) })
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
          for (const job of jobs) await definition.handle(deps, job.data, job)
        } catch (error) {
          // pg-boss records a failed job's error in its table: without the statement's values.
          throw withoutValues(error)
        }
      },
    )
  }

  /** Sends the job on its cron schedule (pg-boss keeps one schedule per name). */
  async schedule(definition: { name: string; cron?: string }): Promise<void> {
    if (definition.cron) await this.boss.schedule(definition.name, definition.cron)
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000 })
  }
}
