import type { Connectors } from '../modules/sources/connectors/index.ts'
import { openVault, type Vault } from '../platform/auth/encryption.ts'
import { loadConfig, type Config } from '../platform/config.ts'
import { openStore, type Store } from '../platform/db/client.ts'
import { readiness } from '../platform/health.ts'
import { startMetricsServer } from '../platform/http/metrics-server.ts'
import { Metrics } from '../platform/metrics.ts'
import type { Queue } from '../platform/queue/queue.ts'
import { startQueue, type JobHooks, type WorkerSelection } from './jobs.ts'

export interface RuntimeOptions {
  /** Defaults to the environment's (loadConfig). */
  config?: Config
  /** A store already open (tests); by default one is opened from the config, migrations run. */
  store?: Store
  /** The background jobs this process runs: all (true), none (false, the default), or these. */
  workers?: WorkerSelection
  /** Whether this process sends the cron jobs on their schedule. */
  schedule?: boolean
  /** The connector of each system: Roster's own unless given (tests give scripted ones). */
  connectors?: Connectors
  /** Test seams handed to the job handlers; a production process gives none. */
  hooks?: JobHooks
  /**
   * A long-running process's kind: it gets metrics, served with its health on
   * `ROSTER_METRICS_PORT` when that is set. A command that only waits for a job gives none.
   */
  process?: 'serve' | 'api' | 'worker'
}

/** What a Roster process runs on: its store, queue and credentials vault. */
export interface Runtime {
  config: Config
  store: Store
  queue: Queue
  vault: Vault
  /** The process's metrics (a long-running process only). */
  metrics: Metrics | undefined
  /** The port of its metrics listener, when it has one. */
  metricsPort: number | undefined
  /**
   * Stops the queue (its workers finish their job or hand it back at their next safe point),
   * then the metrics listener, then the store if it opened it.
   */
  stop(): Promise<void>
}

/**
 * Starts what every Roster process needs, in order: the store (and its migrations), the queue,
 * the workers and the cron this process was asked for. `roster serve` adds the HTTP server; a
 * command that waits for a job runs that job's workers while it waits.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const config = options.config ?? loadConfig()
  const store = options.store ?? (await openStore(config))
  const metrics = options.process ? new Metrics({ process: options.process }) : undefined
  try {
    const queue = await startQueue(store, config, {
      workers: options.workers ?? false,
      schedule: options.schedule ?? false,
      connectors: options.connectors,
      hooks: options.hooks,
      metrics,
    })
    metrics?.watchQueue(queue)
    const listener =
      metrics && config.metricsPort !== undefined
        ? await startMetricsServer({
            port: config.metricsPort,
            host: config.metricsHost,
            metrics,
            readiness: () => readiness(store.db, queue),
          }).catch(async (error: unknown) => {
            await queue.stop()
            throw error
          })
        : undefined
    return {
      config,
      store,
      queue,
      vault: openVault(config),
      metrics,
      metricsPort: listener?.port,
      stop: async () => {
        await queue.stop()
        await listener?.close()
        if (!options.store) await store.close()
      },
    }
  } catch (error) {
    if (!options.store) await store.close()
    throw error
  }
}

/** Calls `stop` once on SIGINT or SIGTERM, then exits. */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false
  const shutdown = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    await stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
}
