import { resolve } from 'node:path'

export interface Config {
  /** A PostgreSQL server to use instead of the embedded store. */
  databaseUrl: string | undefined
  /** Where the embedded store keeps its data. */
  dataDir: string
  port: number
  /** Unset: all interfaces, except for the demo (`serve --demo`), which keeps to this machine. */
  host: string | undefined
  /**
   * Which proxies in front of Roster to believe about the client's address and protocol
   * (X-Forwarded-For, X-Forwarded-Proto): none, all (`true`), a number of hops, or their
   * addresses. Behind an HTTPS proxy it makes the session cookie `Secure`.
   */
  trustProxy: boolean | number | string[]
  /** Largest JSON request body, in bytes. */
  bodyLimit: number
  logLevel: string
  /** Largest file an import accepts, in bytes. */
  importMaxBytes: number
  /** Sends notification emails: smtp://user:pass@host:587 or smtps://…; unset, no email is sent. */
  smtpUrl: string | undefined
  mailFrom: string
  /**
   * Where bounces of reminders go, `bounces@example.com`: each reminder is sent from
   * `bounces+<reminder id>@example.com` (VERP) so that a bounce names it. Unset: ROSTER_MAIL_FROM.
   */
  bounceAddress: string | undefined
  /** The address people open Roster at, for links in emails and Slack messages. */
  publicUrl: string
  /** Encrypts connection credentials (platform/auth/encryption.ts); never logged. */
  secret: string | undefined
  /** What each API key and each session may ask of the API, counted across processes. */
  apiLimits: ApiLimits
}

export interface ApiLimits {
  /** Requests a minute. */
  requestsPerMinute: number
  /** Requests in flight at once. */
  concurrent: number
}

export const defaultApiLimits: ApiLimits = { requestsPerMinute: 600, concurrent: 10 }

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
    host: env.HOST || undefined,
    trustProxy: trustProxy(env.ROSTER_TRUST_PROXY),
    bodyLimit: positiveInt('ROSTER_BODY_LIMIT', env.ROSTER_BODY_LIMIT, 1024 * 1024),
    logLevel: env.LOG_LEVEL || 'info',
    importMaxBytes: positiveInt(
      'ROSTER_IMPORT_MAX_BYTES',
      env.ROSTER_IMPORT_MAX_BYTES,
      200 * 1024 * 1024,
    ),
    smtpUrl: smtpUrl(env.SMTP_URL),
    mailFrom: env.ROSTER_MAIL_FROM || 'Roster <roster@localhost>',
    bounceAddress: bounceAddress(env.ROSTER_BOUNCE_ADDRESS),
    publicUrl: publicUrl(env),
    secret: secret(env.ROSTER_SECRET),
    apiLimits: {
      requestsPerMinute: positiveInt(
        'ROSTER_API_RATE_LIMIT',
        env.ROSTER_API_RATE_LIMIT,
        defaultApiLimits.requestsPerMinute,
      ),
      concurrent: positiveInt(
        'ROSTER_API_CONCURRENCY',
        env.ROSTER_API_CONCURRENCY,
        defaultApiLimits.concurrent,
      ),
    },
  }
}

function trustProxy(raw: string | undefined): boolean | number | string[] {
  const value = raw?.trim() ?? ''
  if (value === '' || value === 'false') return false
  if (value === 'true') return true
  if (/^\d+$/.test(value)) return Number(value)
  return value
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean)
}

function secret(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined
  if (raw.length < 32) {
    throw new Error(
      'ROSTER_SECRET must be a random string of at least 32 characters, e.g. from `openssl rand -base64 32`',
    )
  }
  return raw
}

function bounceAddress(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined
  if (!/^[^\s@+]+@[^\s@]+\.[^\s@]+$/.test(raw)) {
    throw new Error(
      'ROSTER_BOUNCE_ADDRESS must be an email address without "+", like bounces@example.com',
    )
  }
  return raw
}

function smtpUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined
  // The message must not repeat the URL: it holds the SMTP password.
  if (!URL.canParse(raw) || !['smtp:', 'smtps:'].includes(new URL(raw).protocol)) {
    throw new Error('SMTP_URL must look like smtp://user:password@host:587 or smtps://…')
  }
  return raw
}

function publicUrl(env: NodeJS.ProcessEnv): string {
  const url = env.ROSTER_PUBLIC_URL || `http://localhost:${positiveInt('PORT', env.PORT, 3000)}`
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new Error('ROSTER_PUBLIC_URL must be an http(s) address, like https://roster.example.com')
  }
  return url.replace(/\/+$/, '')
}
