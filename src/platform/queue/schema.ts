import type pg from 'pg'

/** The schema pg-boss keeps its queues, jobs and schedules in, unless ROSTER_QUEUE_SCHEMA says. */
export const DEFAULT_QUEUE_SCHEMA = 'pgboss'

/**
 * Creates pg-boss's schema on a database that has none. The caller holds the start-up lock
 * (`migrate`): pg-boss creates its schema itself when it starts, but two processes doing so at
 * once on an empty database collide on `create schema`. An installed schema is left to pg-boss,
 * which upgrades it under its own lock.
 */
export async function installQueueSchema(client: pg.PoolClient, schema: string): Promise<void> {
  const { rows } = await client.query<{ name: string | null }>(
    `select to_regclass('${schema}.version')::text as name`,
  )
  if (rows[0]?.name) return
  const { getConstructionPlans } = await import('pg-boss')
  await client.query(getConstructionPlans(schema))
}
