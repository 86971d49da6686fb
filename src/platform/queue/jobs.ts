import { deliverNotification } from '../../modules/notifications/notifications.job.ts'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import type { JobDefinition, Queue } from './queue.ts'

/** What every job handler is given. */
export interface JobDeps {
  db: Db
  config: Config
}

/** Every kind of background job; a module adds its `*.job.ts` definitions here. */
export const jobs: JobDefinition<never, JobDeps>[] = [deliverNotification]

/**
 * Creates the queues. Run it after `Queue.start` in every process that enqueues: the first
 * enqueue of a queue otherwise creates it on another connection of the pool, and on the embedded
 * store, whose single session the caller's open transaction holds, that waits forever.
 */
export async function ensureQueues(queue: Queue): Promise<void> {
  for (const job of jobs) await queue.ensure(job)
}

/** Starts a worker for each kind of job in this process. */
export async function startWorkers(queue: Queue, deps: JobDeps): Promise<void> {
  await ensureQueues(queue)
  for (const job of jobs) await queue.work(job, deps)
}
