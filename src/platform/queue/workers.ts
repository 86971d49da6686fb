import { runImportJob } from '../../modules/imports/imports.job.ts'
import type { Db } from '../db/client.ts'
import type pg from 'pg'
import { Queue } from './queue.ts'

/** Every kind of background job; add a module's jobs here. */
const jobs = [runImportJob] as const

/**
 * Starts pg-boss with a queue for every job, and with `workers` runs them in this process too
 * (the web server does; a CLI command that waits for a job does while it waits).
 */
export async function startQueue(
  store: { db: Db; pool: pg.Pool },
  options: { workers?: boolean; schedule?: boolean } = {},
): Promise<Queue> {
  const queue = await Queue.start(store.pool, { schedule: options.schedule })
  for (const job of jobs) await queue.ensure(job)
  if (options.workers) await startWorkers(queue, store.db)
  return queue
}

export async function startWorkers(queue: Queue, db: Db): Promise<void> {
  await queue.work(runImportJob, { db, queue })
}
