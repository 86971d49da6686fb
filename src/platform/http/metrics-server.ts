import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Readiness } from '../health.ts'
import type { Metrics } from '../metrics.ts'

/**
 * The operator's listener, apart from the API: `/metrics` (Prometheus), `/healthz` and `/readyz`,
 * on `ROSTER_METRICS_PORT`, in every process type (a worker has no other listener). It is never
 * on the API's port, so a proxy that publishes the API does not publish the metrics.
 */
export async function startMetricsServer(options: {
  port: number
  host: string
  metrics: Metrics
  readiness: () => Promise<Readiness>
}): Promise<{ port: number; close(): Promise<void> }> {
  const json = (status: number, body: unknown): [number, string, string] => [
    status,
    'application/json; charset=utf-8',
    JSON.stringify(body),
  ]
  const answer = async (method: string, path: string): Promise<[number, string, string]> => {
    if (method !== 'GET') return json(405, { error: 'GET only' })
    if (path === '/metrics') {
      const { contentType, body } = await options.metrics.render()
      return [200, contentType, body]
    }
    if (path === '/healthz') return json(200, { status: 'ok' })
    if (path === '/readyz') {
      const state = await options.readiness()
      return json(state.ready ? 200 : 503, {
        status: state.ready ? 'ready' : 'not ready',
        checks: state.checks,
      })
    }
    return json(404, { error: 'Not found: /metrics, /healthz and /readyz are served here.' })
  }
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    answer(request.method ?? 'GET', path)
      .catch((error: unknown) =>
        json(500, { error: error instanceof Error ? error.message : 'metrics failed' }),
      )
      .then(([status, type, body]) => {
        response.writeHead(status, { 'content-type': type }).end(body)
      })
      .catch(() => undefined)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      resolve()
    })
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}
