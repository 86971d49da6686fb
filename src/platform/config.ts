import { resolve } from 'node:path'
import { DEFAULT_QUEUE_SCHEMA } from './queue/schema.ts'

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
  /**
   * Where the SMTP receiver of bounces (delivery status notifications mailed to the bounce
   * address) listens: unset, none is started. Host defaults to 127.0.0.1, behind the mail server
   * that relays the bounces.
   */
  bounceSmtp: { port: number; host: string } | undefined
  /** The address people open Roster at, for links in emails and Slack messages. */
  publicUrl: string
  /** Encrypts connection credentials (platform/auth/encryption.ts); never logged. */
  secret: string | undefined
  /**
   * The database schema of the job queue. Processes that share a queue must name the same one;
   * test workers each take their own, so that one file's jobs are not run by another's workers.
   */
  queueSchema: string
  /**
   * The port of the operator's listener (`/metrics`, `/healthz`, `/readyz`), apart from the API;
   * unset, there is none.
   */
  metricsPort: number | undefined
  /** The address that listener binds: this machine only unless ROSTER_METRICS_HOST says otherwise. */
  metricsHost: string
  /**
   * Whether the API accepts a connection's base URL (a proxy or a test server in place of the
   * system's own address). Off unless ROSTER_ALLOW_BASE_URL=1: a tenant's admin could otherwise
   * make the server call any address it reaches. The CLI, run on the server, always may.
   */
  allowBaseUrl: boolean
  /** What each API key and each session may ask of the API, counted across processes. */
  apiLimits: ApiLimits
  /**
   * Whether anyone may sign up, creating an organisation of which they are the admin
   * (ROSTER_SIGNUP=open); closed unless the operator opens it.
   */
  signupOpen: boolean
  /** Outbound webhooks: who delivers them, where they may go, how long to wait, when to retry. */
  webhooks: WebhookSettings
}

export interface WebhookSettings {
  /** Whether this process's workers deliver webhooks (ROSTER_WEBHOOK_DELIVERY=0: another does). */
  deliver: boolean
  /**
   * ROSTER_WEBHOOK_ALLOW_LOCAL=1 (development and tests): endpoints may use http:// and point at
   * this machine or the private network. Link-local and metadata addresses never.
   */
  allowLocal: boolean
  /** How long a receiver has to answer, in milliseconds (ROSTER_WEBHOOK_TIMEOUT, in seconds). */
  timeoutMs: number
  /** The waits between attempts; once the last retry fails, the endpoint is turned off. */
  retryDelaysMs: readonly number[]
}

/** 5 s, 30 s, 2 min, 10 min, 1 h, 2 h, 4 h, 8 h, 8 h: the last attempt a little over 23 h after the first. */
export const defaultWebhookRetryDelaysMs: readonly number[] = [
  5, 30, 120, 600, 3_600, 7_200, 14_400, 28_800, 28_800,
].map((seconds) => seconds * 1000)

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
    bounceSmtp: bounceSmtp(env),
    publicUrl: publicUrl(env),
    secret: secret(env.ROSTER_SECRET),
    queueSchema: queueSchema(env.ROSTER_QUEUE_SCHEMA),
    metricsPort: env.ROSTER_METRICS_PORT
      ? positiveInt('ROSTER_METRICS_PORT', env.ROSTER_METRICS_PORT, 0)
      : undefined,
    metricsHost: env.ROSTER_METRICS_HOST || '127.0.0.1',
    allowBaseUrl: flag('ROSTER_ALLOW_BASE_URL', env.ROSTER_ALLOW_BASE_URL),
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
    signupOpen: signup(env.ROSTER_SIGNUP),
    webhooks: {
      deliver:
        env.ROSTER_WEBHOOK_DELIVERY === undefined || env.ROSTER_WEBHOOK_DELIVERY === ''
          ? true
          : flag('ROSTER_WEBHOOK_DELIVERY', env.ROSTER_WEBHOOK_DELIVERY),
      allowLocal: flag('ROSTER_WEBHOOK_ALLOW_LOCAL', env.ROSTER_WEBHOOK_ALLOW_LOCAL),
      timeoutMs: positiveInt('ROSTER_WEBHOOK_TIMEOUT', env.ROSTER_WEBHOOK_TIMEOUT, 10) * 1000,
      retryDelaysMs: defaultWebhookRetryDelaysMs,
    },
  }
}

function signup(raw: string | undefined): boolean {
  const value = raw?.trim().toLowerCase() ?? ''
  if (value === '' || value === 'closed') return false
  if (value === 'open') return true
  throw new Error('ROSTER_SIGNUP must be open (anyone may create an organisation) or closed')
}

function queueSchema(raw: string | undefined): string {
  if (raw === undefined || raw === '') return DEFAULT_QUEUE_SCHEMA
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw)) {
    throw new Error(
      'ROSTER_QUEUE_SCHEMA must be a lower-case schema name (letters, digits, underscores)',
    )
  }
  return raw
}

function flag(name: string, raw: string | undefined): boolean {
  const value = raw?.trim().toLowerCase() ?? ''
  if (value === '' || value === '0' || value === 'false') return false
  if (value === '1' || value === 'true') return true
  throw new Error(`${name} must be 1 (on) or 0 (off)`)
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

function bounceSmtp(env: NodeJS.ProcessEnv): Config['bounceSmtp'] {
  const raw = env.ROSTER_BOUNCE_SMTP_PORT
  if (raw === undefined || raw === '') return undefined
  const port = positiveInt('ROSTER_BOUNCE_SMTP_PORT', raw, 0)
  if (port > 65535) throw new Error('ROSTER_BOUNCE_SMTP_PORT must be a port number (1 to 65535)')
  return { port, host: env.ROSTER_BOUNCE_SMTP_HOST || '127.0.0.1' }
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
