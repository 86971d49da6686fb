import type { Command } from 'commander'
import { startRuntime, stopOnSignal } from '../app/runtime.ts'
import { loadConfig } from '../platform/config.ts'

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run the background jobs (imports, syncs, reminders, notifications) and their schedule, without HTTP',
    )
    .action(async () => {
      const config = loadConfig()
      const runtime = await startRuntime({
        config,
        workers: true,
        schedule: true,
        process: 'worker',
      })
      const where =
        runtime.store.kind === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'
      process.stdout.write(`Roster worker is running (${where})\n`)
      if (runtime.metricsPort !== undefined) {
        process.stdout.write(
          `Metrics: http://${config.metricsHost}:${runtime.metricsPort}/metrics\n`,
        )
      }
      // Stopping: no new job is taken, and the running ones finish or are handed back.
      stopOnSignal(() => runtime.stop())
    })
}
