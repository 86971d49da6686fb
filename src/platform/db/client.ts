import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import type { Config } from '../config.ts'
import { startEmbedded } from './embedded.ts'
import { migrate } from './migrate.ts'
import { DEFAULT_QUEUE_SCHEMA } from '../queue/schema.ts'
import * as schema from './schema/index.ts'

export type Db = NodePgDatabase<typeof schema>
/** A transaction handle; data functions take `Db | Tx` so callers compose transactions. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]
export type DbOrTx = Db | Tx

export interface Store {
  kind: 'embedded' | 'postgres'
  db: Db
  pool: pg.Pool
  close(): Promise<void>
}

/** The pools of PostgreSQL servers by their database (the embedded store takes no COPY FROM STDIN). */
const servers = new WeakMap<Db, pg.Pool>()

/** The pool under `db` when it is a PostgreSQL server's, to COPY rows in; null on the embedded store. */
export function copyPool(db: Db): pg.Pool | null {
  return servers.get(db) ?? null
}

export async function openStore(
  config: Pick<Config, 'databaseUrl' | 'dataDir'> & Partial<Pick<Config, 'queueSchema'>>,
  options: { migrate?: boolean } = {},
): Promise<Store> {
  let kind: Store['kind']
  let pool: pg.Pool
  let stopEmbedded = (): Promise<void> => Promise.resolve()
  if (config.databaseUrl) {
    kind = 'postgres'
    // No JIT: Roster's statements are short and set-based, and the cost of its merges (subplans
    // per row in the audit snapshots) crosses the JIT thresholds, where compiling took up to
    // 1.8 s a statement and doubled an import's run. (PGlite has no JIT.)
    pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10, options: '-c jit=off' })
  } else {
    kind = 'embedded'
    const embedded = await startEmbedded(config.dataDir)
    stopEmbedded = () => embedded.stop()
    pool = new pg.Pool({ ...embedded.connection, max: 10 })
  }
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined)
  const db = drizzle({ client: pool, schema, casing: 'snake_case' })
  if (kind === 'postgres') servers.set(db, pool)
  const store: Store = {
    kind,
    db,
    pool,
    close: async () => {
      await pool.end()
      await stopEmbedded()
    },
  }
  if (options.migrate !== false) {
    try {
      await migrate(pool, config.queueSchema ?? DEFAULT_QUEUE_SCHEMA)
    } catch (error) {
      await store.close()
      throw error
    }
  }
  return store
}
