import type { Db } from '../../platform/db/client.ts'
import { defineJob, type Queue } from '../../platform/queue/queue.ts'
import { runImport } from './apply/run.ts'

export interface ImportJobDeps {
  db: Db
  queue: Queue
}

export const runImportJob = defineJob<{ organizationId: string; importId: string }, ImportJobDeps>({
  name: 'imports.run',
  queue: {
    // A worker that dies leaves the job without heartbeats: pg-boss hands it to another worker,
    // which resumes after the last committed chunk.
    heartbeatSeconds: 30,
    expireInSeconds: 6 * 60 * 60,
    retryLimit: 5,
    retryDelay: 5,
  },
  handle: async ({ db }, data) => {
    await runImport(db, data.organizationId, data.importId)
  },
})
