/**
 * The embedded store's server process. PGlite runs every statement on its caller's thread and has
 * a single connection, so Roster keeps it in this child process and talks to it over the Postgres
 * wire protocol (wire-server.ts shares PGlite's one session between the connections). The app then uses the same driver for the embedded store and for a real server.
 *
 * Usage: node pglite-server.ts <dataDir> <socketPath>. Prints "ready" on stdout once listening;
 * exits when its parent goes away.
 */
import { mkdirSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { unaccent } from '@electric-sql/pglite/contrib/unaccent'
import { acquireLock } from './lock.ts'
import { WireServer } from './wire-server.ts'

const [dataDirArg, socketPathArg] = process.argv.slice(2)
if (!dataDirArg || !socketPathArg) {
  console.error('usage: pglite-server <dataDir> <socketPath>')
  process.exit(2)
}
const dataDir: string = dataDirArg
const socketPath: string = socketPathArg

const inMemory = dataDir === 'memory://'
let release = (): void => undefined
if (!inMemory) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const lock = acquireLock(`${dataDir}/pglite.lock`)
  if (!lock) {
    console.error(`The data folder ${dataDir} is already used by another Roster process.`)
    process.exit(3)
  }
  release = lock
}
await rm(socketPath, { force: true })

// pg_trgm and unaccent back the customers search (see the migrations).
const db = await PGlite.create(inMemory ? undefined : `${dataDir}/pgdata`, {
  extensions: { pg_trgm, unaccent },
}).catch((error: unknown) => {
  // One line for the parent to quote: the engine's errors carry its whole bundled source.
  const message = error instanceof Error ? error.message.split('\n')[0]?.slice(0, 200) : ''
  console.error(`cannot open ${dataDir}/pgdata: ${message || String(error).slice(0, 200)}`)
  release()
  process.exit(4)
})
const server = new WireServer(db)
await server.listen(socketPath)
process.stdout.write('ready\n')

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  try {
    await server.close()
    await db.close()
  } finally {
    await rm(socketPath, { force: true })
    release()
    process.exit(0)
  }
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
process.on('disconnect', () => void stop())
