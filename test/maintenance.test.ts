import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { refreshEmbeddedStatistics } from '../src/platform/db/maintenance.job.ts'
import { loadConfig } from '../src/platform/config.ts'
import { jobs } from '../src/app/jobs.ts'
import { testStore } from './support.ts'

const store = await testStore()
const config = loadConfig()

describe('store maintenance', () => {
  it('refreshes the statistics of the embedded store every hour; a PostgreSQL server does it itself', async () => {
    expect(jobs.find((job) => job.name === 'db.maintain')?.cron).toBe('23 * * * *')
    const analyzed = async () => {
      const { rows } = await store.db.execute<{ at: string | null }>(
        sql`select last_analyze::text as at from pg_stat_user_tables where relname = 'customers'`,
      )
      return rows[0]?.at ?? null
    }
    const before = await analyzed()
    const ran = await refreshEmbeddedStatistics({ db: store.db, config })
    expect(ran).toBe(store.kind === 'embedded')
    if (ran) expect(await analyzed()).not.toBe(before)
  })
})
