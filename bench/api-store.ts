// One store's part of `npm run bench:api` (bench/api.ts runs it in a process of its own): seeds
// the customers, starts `roster serve` on them with the API limits raised for the benchmark's one
// key, and loads the customers search with autocannon. Prints its measures as JSON, last line.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { loadConfig } from '../src/platform/config.ts'
import { openStore } from '../src/platform/db/client.ts'
import { seedCustomers } from './seed-customers.ts'

interface AutocannonResult {
  requests: { average: number; total: number }
  latency: { p50: number; p99: number; average: number }
  errors: number
  non2xx: number
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string
  connections: number
  duration: number
  headers: Record<string, string>
}) => Promise<AutocannonResult>

export interface ApiMeasure {
  search: string
  requestsPerSecond: number
  p50: number
  p99: number
  requests: number
  failed: number
}

const [, , , countArg = '100000', secondsArg = '20', connectionsArg = '20'] = process.argv
const searches: [string, string][] = [
  ['a common word ("acme", 10% of customers)', 'acme'],
  ['a contact email ("ap2.")', 'ap2.'],
]

const store = await openStore(loadConfig())
const org = await seedCustomers(store.db, Number(countArg))
await store.close()

// The benchmark's one key sends far more than a key may by default: it raises the limits for
// itself through the configuration, as an operator would.
const server = spawn(
  process.execPath,
  [new URL('../src/cli/main.ts', import.meta.url).pathname, 'serve', '--port', '0'],
  {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ROSTER_API_RATE_LIMIT: '100000000',
      ROSTER_API_CONCURRENCY: '1000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
const exited = once(server, 'exit')
try {
  let address = ''
  for await (const line of createInterface({ input: server.stdout })) {
    const match = /Roster is running at (http:\/\/\S+)/.exec(line)
    if (match?.[1]) {
      address = match[1]
      break
    }
  }
  if (!address) throw new Error('roster serve stopped before it listened')
  server.stdout.resume()
  const headers = { authorization: `Bearer ${org.key}` }
  const measures: ApiMeasure[] = []
  for (const [search, q] of searches) {
    const url = `${address}/api/v1/customers?limit=50&q=${encodeURIComponent(q)}`
    const check = await fetch(url, { headers })
    if (check.status !== 200) throw new Error(`${url}: ${check.status} ${await check.text()}`)
    process.stderr.write(`Loading "${q}" with ${connectionsArg} clients for ${secondsArg} s…\n`)
    const result = await autocannon({
      url,
      connections: Number(connectionsArg),
      duration: Number(secondsArg),
      headers,
    })
    measures.push({
      search,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      requests: result.requests.total,
      failed: result.errors + result.non2xx,
    })
  }
  process.stdout.write(`${JSON.stringify(measures)}\n`)
} finally {
  server.kill('SIGTERM')
  await exited
}
