import { resolve } from 'node:path'

export interface Config {
  /** A PostgreSQL server to use instead of the embedded store. */
  databaseUrl: string | undefined
  /** Where the embedded store keeps its data. */
  dataDir: string
  port: number
  host: string
  /** Largest JSON request body, in bytes. */
  bodyLimit: number
  logLevel: string
  /** Largest file an import accepts, in bytes. */
  importMaxBytes: number
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number`)
  return n
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.ROSTER_DATA_DIR || './data'),
    port: positiveInt('PORT', env.PORT, 3000),
    host: env.HOST || '0.0.0.0',
    bodyLimit: positiveInt('ROSTER_BODY_LIMIT', env.ROSTER_BODY_LIMIT, 1024 * 1024),
    logLevel: env.LOG_LEVEL || 'info',
    importMaxBytes: positiveInt(
      'ROSTER_IMPORT_MAX_BYTES',
      env.ROSTER_IMPORT_MAX_BYTES,
      200 * 1024 * 1024,
    ),
  }
}
