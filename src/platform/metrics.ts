import type { Counter, Histogram, Registry } from 'prom-client'

type PromClient = typeof import('prom-client')

/** What the metrics read of the queue: pg-boss's counts per queue (shared by every process). */
export interface QueueCounts {
  counts(): Promise<{ name: string; queued: number; active: number; failed: number }[]>
}

/**
 * The Prometheus metrics of one Roster process, in a registry of its own (never prom-client's
 * global one): each process serves its own on `ROSTER_METRICS_PORT` (see metrics-server.ts).
 * Counters count what this process did; Prometheus adds the processes up. The job gauges read
 * the queue's tables, so every process reports the same, deployment-wide, figures.
 */
export class Metrics {
  readonly registry: Registry
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>
  readonly importLines: Counter
  readonly syncRuns: Counter<'outcome'>

  /** prom-client loads here, not with this module: a command that serves no metrics skips it. */
  static async create(options: { process: 'serve' | 'api' | 'worker' }): Promise<Metrics> {
    return new Metrics(options, await import('prom-client'))
  }

  private readonly prom: PromClient

  private constructor(options: { process: 'serve' | 'api' | 'worker' }, prom: PromClient) {
    this.prom = prom
    const { collectDefaultMetrics, Counter, Histogram, Registry } = prom
    this.registry = new Registry()
    this.registry.setDefaultLabels({ process: options.process })
    collectDefaultMetrics({ register: this.registry, prefix: 'roster_' })
    this.httpDuration = new Histogram({
      name: 'roster_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status code, with their duration.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    })
    this.importLines = new Counter({
      name: 'roster_import_lines_applied_total',
      help: 'Import lines applied by this process (rate() gives lines per second).',
      registers: [this.registry],
    })
    this.syncRuns = new Counter({
      name: 'roster_sync_runs_total',
      help: 'Sync runs this process ended, by outcome (completed, failed, cancelled).',
      labelNames: ['outcome'],
      registers: [this.registry],
    })
  }

  /** Reports the jobs queued, active and failed of every queue, read at each scrape. */
  watchQueue(queue: QueueCounts): void {
    new this.prom.Gauge({
      name: 'roster_jobs',
      help: 'Background jobs by queue and state (queued, active, failed), across all processes.',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset()
        for (const { name, queued, active, failed } of await queue.counts()) {
          this.set({ queue: name, state: 'queued' }, queued)
          this.set({ queue: name, state: 'active' }, active)
          this.set({ queue: name, state: 'failed' }, failed)
        }
      },
    })
  }

  /** The exposition text Prometheus scrapes, and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}
