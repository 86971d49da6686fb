import { connect } from 'node:net'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { buildApp } from '../../src/app/http.ts'
import { startWorkers } from '../../src/app/jobs.ts'
import { startRuntime } from '../../src/app/runtime.ts'
import { openVault } from '../../src/platform/auth/encryption.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { readiness } from '../../src/platform/health.ts'
import { startMetricsServer } from '../../src/platform/http/metrics-server.ts'
import { Metrics } from '../../src/platform/metrics.ts'
import { client, json, newOrg, testQueue, testStore } from '../support.ts'
import { syncKit } from '../sources/helpers.ts'
import { customer, scriptedConnectors } from '../sources/scripted.ts'

const store = await testStore()
const queue = await testQueue(store)
const config = loadConfig()
const metrics = await Metrics.create({ process: 'api' })
metrics.watchQueue(queue)
const app = await buildApp({
  db: store.db,
  queue,
  vault: openVault(config),
  publicUrl: config.publicUrl,
  metrics,
})
afterAll(() => app.close())

describe('health, readiness and metrics', () => {
  it('answers /healthz and /readyz with what was checked', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
    const ready = await app.inject({ url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(json(ready)).toEqual({
      status: 'ready',
      checks: { database: true, migrations: true, queue: true },
    })
  })

  it('is not ready once its queue is stopping', async () => {
    expect(await readiness(store.db, { started: false })).toEqual({
      ready: false,
      checks: { database: true, migrations: true, queue: false },
    })
  })

  it('serves Prometheus metrics on their own listener, never on the API port', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    expect((await api.get('/api/v1/customers')).statusCode).toBe(200)
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(404)

    let ready = true
    const listener = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      metrics,
      readiness: async () => ({ ...(await readiness(store.db, queue)), ready }),
    })
    try {
      const base = `http://127.0.0.1:${listener.port}`
      const response = await fetch(`${base}/metrics`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toContain('text/plain')
      const text = await response.text()
      // By the route's pattern, not its path.
      expect(text).toMatch(
        /roster_http_request_duration_seconds_count\{[^}]*method="GET",route="\/api\/v1\/customers",status="200"[^}]*\} [1-9]/,
      )
      for (const state of ['queued', 'active', 'failed']) {
        expect(text).toMatch(new RegExp(`roster_jobs\\{[^}]*queue="imports.run",state="${state}"`))
      }
      expect(text).toContain('roster_import_lines_applied_total{process="api"} 0')
      expect(text).toContain('# TYPE roster_sync_runs_total counter')

      expect((await fetch(`${base}/healthz`)).status).toBe(200)
      expect((await fetch(`${base}/readyz`)).status).toBe(200)
      ready = false
      const notReady = await fetch(`${base}/readyz`)
      expect(notReady.status).toBe(503)
      expect(await notReady.json()).toMatchObject({ status: 'not ready' })
    } finally {
      await listener.close()
    }
  })
})

describe('a process started with ROSTER_METRICS_PORT', () => {
  it('serves /metrics, /healthz and /readyz on that port, and closes it when it stops', async () => {
    const runtime = await startRuntime({
      config: { ...config, metricsPort: 0, metricsHost: '127.0.0.1' },
      store,
      process: 'worker',
    })
    let stopped = false
    try {
      expect(runtime.metricsPort).toBeGreaterThan(0)
      const base = `http://127.0.0.1:${String(runtime.metricsPort)}`
      const scraped = await fetch(`${base}/metrics`)
      expect(scraped.status).toBe(200)
      const text = await scraped.text()
      expect(text).toContain('roster_import_lines_applied_total{process="worker"} 0')
      expect(text).toMatch(/roster_jobs\{[^}]*queue="sources.sync",state="queued"/)
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' })
      const ready = await fetch(`${base}/readyz`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { database: true, migrations: true, queue: true },
      })
      await runtime.stop()
      stopped = true
      // A new connection (fetch would reuse the one the listener just closed).
      const refused = await new Promise<unknown>((resolve) => {
        connect(runtime.metricsPort ?? 0, '127.0.0.1', () => {
          resolve('connected')
        }).on('error', resolve)
      })
      expect(refused).toMatchObject({ code: 'ECONNREFUSED' })
    } finally {
      if (!stopped) await runtime.stop()
    }
  })

  it('has no listener without it', async () => {
    const runtime = await startRuntime({ config, store, process: 'worker' })
    try {
      expect(config.metricsPort).toBeUndefined()
      expect(runtime.metricsPort).toBeUndefined()
      expect(runtime.metrics).toBeDefined()
    } finally {
      await runtime.stop()
    }
  })
})

describe('the sync runs a worker ends', () => {
  it('are counted by outcome in roster_sync_runs_total', async () => {
    const connectors = scriptedConnectors('stripe')
    // A queue of its own: the worker's shared one may hold the sync jobs other files left queued
    // (the shared workers leave syncs alone), which this worker would run first.
    const own = { ...config, queueSchema: `pgboss_sync_runs_${String(process.pid)}` }
    const runtime = await startRuntime({ config: own, store, process: 'worker', connectors })
    try {
      const kit = syncKit(store, runtime.queue, app, connectors)
      // Connecting queues a first full run; the second source then revokes its key. Both runs
      // wait for the worker started next.
      const good = await kit.connected({ customers: [customer('cus_1')] })
      const revoked = await kit.connected({ customers: [customer('cus_2')] })
      revoked.source.revoke()
      await startWorkers(runtime.queue, store, own, ['sources.sync'], {
        connectors,
        metrics: runtime.metrics,
      })
      const count = async (outcome: string) => {
        const text = (await runtime.metrics?.render())?.body ?? ''
        const pattern = new RegExp(
          `roster_sync_runs_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`,
        )
        return pattern.exec(text)?.[1]
      }
      const statuses = async (of: typeof good) =>
        (await kit.runs(of.org, of.connection.id)).map((run) => run.status)
      await vi.waitFor(
        async () => {
          expect([await statuses(good), await statuses(revoked)]).toEqual([
            ['completed'],
            ['failed'],
          ])
          // Counted once the job's run has ended, just after it is saved.
          expect([await count('completed'), await count('failed')]).toEqual(['1', '1'])
        },
        { timeout: 30_000, interval: 50 },
      )
      expect(await count('cancelled')).toBeUndefined()
    } finally {
      await runtime.stop()
    }
  })
})
