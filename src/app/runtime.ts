import { recordDeliveryReport } from '../modules/reminders/bounces.service.ts'
import { readDeliveryReport } from '../modules/reminders/dsn.ts'
import { bounceAddress, isBounceAddress } from '../modules/reminders/reminders.job.ts'
import type { Connectors } from '../modules/sources/connectors/index.ts'
import { openVault, type Vault } from '../platform/auth/encryption.ts'
import { loadConfig, type Config } from '../platform/config.ts'
import { openStore, type Store } from '../platform/db/client.ts'
import { startReceiver, type Receiver } from '../platform/mail/receiver.ts'
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
   * Whether this process receives bounces over SMTP when `config.bounceSmtp` is set: by default
   * the process that runs all the workers (`roster serve`), not a command waiting for its job.
   */
  receiveBounces?: boolean
  /** Where what the bounce receiver did is said; by default a process warning. */
  log?: (message: string) => void
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
  /** The SMTP receiver of bounces, when this process runs one. */
  bounces: { port: number } | undefined
  /** The process's metrics (a long-running process only). */
  metrics: Metrics | undefined
  /** The port of its metrics listener, when it has one. */
  metricsPort: number | undefined
  /**
   * Stops the bounce receiver, the queue (its workers finish their job or hand it back at their
   * next safe point), then the metrics listener, then the store if it opened it.
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
  const metrics = options.process ? await Metrics.create({ process: options.process }) : undefined
  try {
    const queue = await startQueue(store, config, {
      workers: options.workers ?? false,
      schedule: options.schedule ?? false,
      connectors: options.connectors,
      hooks: options.hooks,
      metrics,
    })
    let bounces: Receiver | undefined
    try {
      const receive = options.receiveBounces ?? options.workers === true
      if (config.bounceSmtp && receive) {
        bounces = await startBounceReceiver(config, config.bounceSmtp, store, options.log)
      }
    } catch (error) {
      await queue.stop()
      throw error
    }
    metrics?.watchQueue(queue)
    const listener =
      metrics && config.metricsPort !== undefined
        ? await startMetricsServer({
            port: config.metricsPort,
            host: config.metricsHost,
            metrics,
            readiness: () => readiness(store.db, queue),
          }).catch(async (error: unknown) => {
            await bounces?.close()
            await queue.stop()
            throw error
          })
        : undefined
    return {
      config,
      store,
      queue,
      vault: openVault(config),
      bounces: bounces && { port: bounces.port },
      metrics,
      metricsPort: listener?.port,
      stop: async () => {
        await bounces?.close()
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

/**
 * Listens for the delivery status notifications mailed back to the bounce address (the mail
 * server in front relays them here) and records the bounces they report (modules/reminders).
 */
async function startBounceReceiver(
  config: Config,
  at: { host: string; port: number },
  store: Store,
  log: (message: string) => void = (message) => {
    process.emitWarning(message, { code: 'ROSTER_BOUNCES' })
  },
): Promise<Receiver> {
  try {
    return await startReceiver({
      ...at,
      accepts: (address) => isBounceAddress(config, address),
      refusal: `This server receives only the bounces sent to ${bounceAddress(config)}.`,
      handle: async ({ to, raw }) => {
        // A message mailparser cannot read will not read better later: no report, said so.
        const report = await readDeliveryReport(raw).catch(() => null)
        const said = await recordDeliveryReport(store.db, to, report)
        log(`bounces: ${said}`)
        return said
      },
    })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(
      `The bounce receiver cannot listen on ${at.host}:${String(at.port)} (ROSTER_BOUNCE_SMTP_HOST, ROSTER_BOUNCE_SMTP_PORT): ${reason}`,
      { cause: error },
    )
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
