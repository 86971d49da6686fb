import type { Config } from '../config.ts'
import type { Db } from './client.ts'
import { refreshStatistics } from './statistics.ts'
import { forgetExpiredIdempotencyKeys } from '../http/idempotency.ts'
import { forgetIdleUsage, releaseExpired } from '../http/limits.ts'
import { defineJob } from '../queue/queue.ts'

export interface MaintenanceDeps {
  db: Db
  config: Pick<Config, 'databaseUrl'>
}

/**
 * Refreshes the planner's statistics of the embedded store, which has no autovacuum: customers
 * and contacts added one by one (API, web app) would otherwise keep the statistics of the last
 * import or sync, and the planner would take a large table for a small one. A PostgreSQL server
 * does this itself; there the job does nothing.
 */
export async function refreshEmbeddedStatistics(deps: MaintenanceDeps): Promise<boolean> {
  if (deps.config.databaseUrl) return false
  await refreshStatistics(deps.db)
  return true
}

/**
 * Forgets what the API keeps for a while: answers kept for idempotency keys past their 24 hours,
 * places of requests whose process died, counts of credentials idle for an hour.
 */
export async function forgetExpiredApiState(db: Db): Promise<void> {
  await forgetExpiredIdempotencyKeys(db)
  await releaseExpired(db)
  await forgetIdleUsage(db)
}

export const maintainStore = defineJob<object, MaintenanceDeps>({
  name: 'db.maintain',
  cron: '23 * * * *',
  queue: { policy: 'singleton', retryLimit: 0, expireInSeconds: 15 * 60 },
  handle: async (deps) => {
    await forgetExpiredApiState(deps.db)
    await refreshEmbeddedStatistics(deps)
  },
})
