import { createHash } from 'node:crypto'
import { describeIssues, isNetworkFailure, retryAfterMs } from '../common.ts'
import { SourceError } from '../types.ts'
import {
  zuoraErrorBody,
  zuoraHosts,
  zuoraToken,
  type ZuoraSecrets,
  type ZuoraSettings,
} from './schemas.ts'

/** One request's time limit; the engine's policy decides whether a timed-out call is retried. */
const timeoutMs = 30_000
/** A stored token this close to its end is replaced before a run rather than during it. */
const renewBeforeMs = 5 * 60_000

/** The host every call goes to: the base URL when one is set (a proxy or a fake), else the tenant's. */
export function zuoraBase(settings: ZuoraSettings): string {
  return (settings.baseUrl ?? zuoraHosts[settings.environment ?? 'us']).replace(/\/+$/, '')
}

export interface IssuedToken {
  accessToken: string
  accessTokenExpiresAt: string
  accessTokenClient: string
}

/** Which client a token belongs to, without keeping the secret twice. */
export function tokenClient(secrets: Pick<ZuoraSecrets, 'clientId' | 'clientSecret'>): string {
  return createHash('sha256')
    .update(`${secrets.clientId}\n${secrets.clientSecret}`)
    .digest('base64url')
    .slice(0, 22)
}

/**
 * Whether the stored token is still good for a run: issued to these credentials, and not within
 * minutes of its end (our clock, from Zuora's `expires_in`).
 */
export function tokenIsFresh(secrets: ZuoraSecrets, now = Date.now()): boolean {
  if (!secrets.accessToken || !secrets.accessTokenExpiresAt) return false
  if (secrets.accessTokenClient !== tokenClient(secrets)) return false
  return Date.parse(secrets.accessTokenExpiresAt) - now > renewBeforeMs
}

export interface ZuoraAnswer {
  body: unknown
  /** Zuora's clock, from its Date header. */
  date: string | undefined
}

/**
 * A small fetch client for Zuora's REST API (the official SDK picks its host from an enum, so it
 * cannot be pointed at a proxy or a fake). OAuth 2.0 client credentials: the stored token is used
 * while it is good; a 401 during a run (the token ended or was revoked early) gets one new token
 * and the call once more, the new token then serving the rest of the run. Nothing is retried
 * otherwise: the engine's policy decides.
 */
export class ZuoraClient {
  private token: string | null
  private readonly base: string
  private readonly secrets: ZuoraSecrets
  private readonly signal: AbortSignal | undefined

  constructor(settings: ZuoraSettings, secrets: ZuoraSecrets, signal?: AbortSignal) {
    this.base = zuoraBase(settings)
    this.secrets = secrets
    this.signal = signal
    this.token = tokenIsFresh(secrets) ? (secrets.accessToken ?? null) : null
  }

  /** `POST /oauth/token` with the client's id and secret; a refusal is `auth_revoked`. */
  async issueToken(): Promise<IssuedToken> {
    const body = new URLSearchParams({
      client_id: this.secrets.clientId,
      client_secret: this.secrets.clientSecret,
      grant_type: 'client_credentials',
    })
    const response = await this.send(`${this.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    })
    const payload = await readJson(response)
    if (!response.ok) throw classify(response, payload, 'token')
    const token = zuoraToken.safeParse(payload)
    if (!token.success) {
      throw new SourceError(
        'temporary',
        `its token answer could not be read (${describeIssues(token.error)})`,
      )
    }
    this.token = token.data.access_token
    return {
      accessToken: token.data.access_token,
      accessTokenExpiresAt: new Date(Date.now() + token.data.expires_in * 1000).toISOString(),
      accessTokenClient: tokenClient(this.secrets),
    }
  }

  /** `GET {base}{path}` with the query's pairs in order (`filter[]` may repeat). */
  async get(path: string, query: [string, string][]): Promise<ZuoraAnswer> {
    const url = `${this.base}${path}?${new URLSearchParams(query).toString()}`
    let renewed = false
    if (this.token === null) {
      await this.issueToken()
      renewed = true
    }
    for (;;) {
      const response = await this.send(url, {
        headers: { authorization: `Bearer ${this.token ?? ''}`, accept: 'application/json' },
      })
      const payload = await readJson(response)
      if (response.ok) return { body: payload, date: response.headers.get('date') ?? undefined }
      // The token ended during the run (or was revoked early): one new token, then the call again.
      if (response.status === 401 && !renewed) {
        await this.issueToken()
        renewed = true
        continue
      }
      throw classify(response, payload, 'api')
    }
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const signal = this.signal
    signal?.throwIfAborted()
    const limit = AbortSignal.timeout(timeoutMs)
    try {
      return await fetch(url, {
        ...init,
        signal: signal ? AbortSignal.any([limit, signal]) : limit,
      })
    } catch (error) {
      signal?.throwIfAborted()
      if (isNetworkFailure(error)) {
        throw new SourceError('temporary', 'no answer over the network', { cause: error })
      }
      throw new SourceError('temporary', 'the call failed', { cause: error })
    }
  }
}

async function readJson(response: Response): Promise<unknown> {
  const raw = await response.text()
  if (raw === '') return null
  try {
    return JSON.parse(raw) as unknown
  } catch {
    return raw
  }
}

/** Zuora's own reason in a few words. */
function reasonOf(payload: unknown): string {
  const parsed = zuoraErrorBody.safeParse(payload)
  if (!parsed.success) return 'no reason given'
  const body = parsed.data
  const said =
    body.reasons?.map((r) => r.message).join('; ') ||
    body.error_description ||
    body.message ||
    body.error
  return said ?? 'no reason given'
}

/**
 * Zuora's status codes as SourceErrors. Over its limits (requests per minute, or concurrent
 * requests) it answers 429: the wait is Retry-After when sent, else `RateLimit-Reset` (seconds)
 * when the window is spent.
 */
export function classify(response: Response, payload: unknown, call: 'token' | 'api') {
  const { status, headers } = response
  const said = reasonOf(payload)
  if (status === 429) {
    const reset = headers.get('ratelimit-remaining') === '0' ? headers.get('ratelimit-reset') : null
    return new SourceError('rate_limited', 'too many requests', {
      retryAfterMs: retryAfterMs(headers.get('retry-after')) ?? retryAfterMs(reset),
    })
  }
  // The token endpoint refuses an unknown client or a wrong secret with 400 or 401.
  if (status === 401 || status === 403 || (call === 'token' && status === 400)) {
    return new SourceError('auth_revoked', said)
  }
  if (status === 404) return new SourceError('not_found', said)
  return new SourceError('temporary', `error ${status}: ${said}`)
}
