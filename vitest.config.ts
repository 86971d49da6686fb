import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

// In CI each store's run also writes a JSON report that .ci/summary.js adds up.
const store = process.env.ROSTER_TEST_STORE ?? (process.env.DATABASE_URL ? 'postgres' : 'pglite')

// Every process the run starts (test workers, CLI commands, the embedded store's server) keeps
// the code Node compiles for the next: they load the same modules hundreds of times.
process.env.NODE_COMPILE_CACHE ??= join(
  import.meta.dirname,
  'node_modules',
  '.cache',
  'roster',
  'node',
)

export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: `test-output/vitest-${store}.json` },
    include: ['test/**/*.test.ts', 'e2e/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Each worker has a job queue of its own on the shared database (see worker-setup.ts).
    setupFiles: ['test/worker-setup.ts'],
    // A guard against hangs, not a speed check: CLI tests start several processes each, and CI
    // machines run both cores flat out.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on other processes (the CLI, browsers, fake servers, the embedded store):
    // at least two files at once, where the default leaves a core idle on two cores.
    maxWorkers: Math.max(2, availableParallelism()),
  },
})
