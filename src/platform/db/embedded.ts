import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { rootDir } from '../build/paths.ts'

const SOCKET_FILE = '.s.PGSQL.5432'
// Unix socket paths are limited to about 107 bytes.
const MAX_SOCKET_PATH = 100

export interface EmbeddedStore {
  /** node-postgres connection settings for the embedded server. */
  connection: pg.ClientConfig
  /** Stops the server if this process started it; a server owned by another process stays up. */
  stop(): Promise<void>
}

export function socketDirFor(dataDir: string): string {
  if (dataDir !== 'memory://' && join(dataDir, SOCKET_FILE).length <= MAX_SOCKET_PATH)
    return dataDir
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16)
  return join(tmpdir(), `roster-${digest}`)
}

function connectionFor(socketDir: string): pg.ClientConfig {
  return { host: socketDir, port: 5432, user: 'postgres', database: 'postgres' }
}

async function answers(connection: pg.ClientConfig): Promise<boolean> {
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

/**
 * Connects to the embedded store of `dataDir`: to the server another Roster process already runs
 * for it (a CLI command next to `roster serve`), or to a new server process started here.
 */
export async function startEmbedded(dataDir: string): Promise<EmbeddedStore> {
  if (dataDir !== 'memory://') ensureWritable(dataDir)
  const socketDir = socketDirFor(dataDir)
  mkdirSync(socketDir, { recursive: true, mode: 0o700 })
  const connection = connectionFor(socketDir)
  const shared = { connection, stop: () => Promise.resolve() }
  if (await answers(connection)) return shared

  // From its source, also when this module runs from the CLI's bundle.
  const script = join(rootDir, 'src', 'platform', 'db', 'pglite-server.ts')
  const child = spawn(process.execPath, [script, dataDir, join(socketDir, SOCKET_FILE)], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  const stdout = child.stdout as Socket
  const errors = child.stderr as Socket
  let stderr = ''
  errors.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const outcome = await new Promise<'ready' | number>((resolve) => {
    stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve('ready')
    })
    child.on('exit', (code) => {
      resolve(code ?? 1)
    })
  })
  if (outcome === 'ready') {
    errors.pipe(process.stderr)
    child.unref()
    child.channel?.unref()
    stdout.unref()
    errors.unref()
    return {
      connection,
      stop: async () => {
        if (child.exitCode !== null) return
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.ref()
        child.kill('SIGTERM')
        await exited
      },
    }
  }
  // Another process took the data folder first: wait for its server to answer.
  if (outcome === 3) {
    for (let i = 0; i < 50; i++) {
      if (await answers(connection)) return shared
      await sleep(200)
    }
  }
  // The server's own last words, not the stack of the database engine's bundled source.
  const reason = stderr.trim().split('\n').at(-1)?.slice(0, 300) || `exit code ${outcome}`
  throw new Error(`The embedded database in ${dataDir} did not start: ${reason}`)
}

const unwritable: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'part of the path is a file',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'a file of that name is in the way',
}

/** Creates the data folder if need be and checks that this user can write in it. */
function ensureWritable(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    accessSync(dataDir, constants.W_OK)
    const probe = join(dataDir, `.write-check-${process.pid}`)
    writeFileSync(probe, '')
    rmSync(probe)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    throw new Error(
      `Roster cannot write to its data folder ${dataDir} (${unwritable[code] ?? code}): make it writable by this user, or set ROSTER_DATA_DIR to another folder.`,
      { cause: error },
    )
  }
}
