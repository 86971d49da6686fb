import type { AddressInfo } from 'node:net'
import type { Command } from 'commander'
import { seedDemo } from '../modules/organizations/demo.ts'
import { buildApp } from '../app/http.ts'
import { startRuntime, stopOnSignal } from '../app/runtime.ts'
import { loadConfig } from '../platform/config.ts'
import { AppError } from '../platform/errors.ts'
import { ensureWebBuild, webDist } from '../platform/web/build.ts'

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the web app and the API, and the background jobs unless --no-workers')
    .option('--port <port>', 'port to listen on (default: PORT or 3000)')
    .option('--demo', 'on an empty store, create a demo organisation and print how to sign in')
    .option(
      '--no-workers',
      'serve the API and the web app only: background jobs and their schedule are left to `roster worker` processes',
    )
    .action(async (opts: { port?: string; demo?: boolean; workers: boolean }) => {
      const config = loadConfig()
      const port = opts.port === undefined ? config.port : Number(opts.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new AppError(
          'validation_failed',
          `--port must be a port number, not "${opts.port ?? ''}".`,
        )
      }
      const say = (message: string): void => void process.stdout.write(`${message}\n`)
      // A fresh clone's first start builds the app (Vite, in a child process) while the store
      // opens and migrates; the API answers at once and the app's pages say it is being built
      // until it is. Later starts only check that no source changed.
      const webBuild = ensureWebBuild(say)
      webBuild.catch((error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
      })
      const runtime = await startRuntime({
        config,
        workers: opts.workers,
        schedule: opts.workers,
        process: opts.workers ? 'serve' : 'api',
      })
      const { store, queue, vault, metrics } = runtime
      const app = await buildApp({
        db: store.db,
        queue,
        vault,
        publicUrl: config.publicUrl,
        bodyLimit: config.bodyLimit,
        importMaxBytes: config.importMaxBytes,
        logger: { level: config.logLevel },
        webDir: webDist,
        webBuild,
        trustProxy: config.trustProxy,
        metrics,
        allowBaseUrl: config.allowBaseUrl,
        webhookAllowLocal: config.webhooks.allowLocal,
        apiLimits: config.apiLimits,
        signupOpen: config.signupOpen,
      })
      const demo = opts.demo ? await seedDemo(store.db) : undefined
      // The demo prints an admin's password: it keeps to this machine unless HOST says otherwise.
      await app.listen({ port, host: config.host ?? (opts.demo ? '127.0.0.1' : '0.0.0.0') })
      const address = `http://localhost:${(app.server.address() as AddressInfo).port}`
      const where =
        store.kind === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'
      const jobs = opts.workers ? '' : ', no background jobs: run `roster worker` beside it'
      process.stdout.write(`\nRoster is running at ${address} (${where}${jobs})\n`)
      process.stdout.write(`API docs: ${address}/api/docs\n`)
      if (runtime.bounces && config.bounceSmtp) {
        process.stdout.write(
          `Bounces received over SMTP on ${config.bounceSmtp.host}:${String(runtime.bounces.port)}\n`,
        )
      }
      if (runtime.metricsPort !== undefined) {
        process.stdout.write(
          `Metrics: http://${config.metricsHost}:${runtime.metricsPort}/metrics\n`,
        )
      }
      if (demo) {
        process.stdout.write(
          [
            '',
            'A demo organisation was created. Sign in with:',
            `  email:    ${demo.email}`,
            `  password: ${demo.password}`,
            `API key (shown once): ${demo.apiKey}`,
            `  curl -H "Authorization: Bearer ${demo.apiKey}" ${address}/api/v1/customers`,
            '',
          ].join('\n') + '\n',
        )
      }
      // Draining: the server stops accepting and finishes the requests in flight, then the
      // workers finish their job or hand it back.
      stopOnSignal(async () => {
        await app.close()
        await runtime.stop()
      })
    })
}
