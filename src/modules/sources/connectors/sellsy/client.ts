import { createHash } from 'node:crypto'
import type { z } from 'zod'
import { fetchWithSignal, isNetworkFailure, retryAfterMs, serverSeconds } from '../common.ts'
import { SourceError } from '../types.ts'
import {
  oauthError,
  sellsyError,
  sellsyToken,
  type SellsySecrets,
  type SellsySettings,
} from './schemas.ts'

const apiHost = 'https://api.sellsy.com'
const loginHost = 'https://login.sellsy.com'
export const tokenPath = '/oauth2/access-tokens'
const timeoutMs = 30_000

interface Token {
  value: string
  /** Our clock (ms) after which the token is renewed before use. */
  renewAt: number
}

/**
 * Access tokens by API access, kept for the process. A client-credentials token costs one call
 * and nothing else (no refresh token to rotate), and a run may outlive it (an hour): the token is
 * renewed in memory before it expires and once more when Sellsy answers 401 to it, so it is
 * never stored. The key holds a hash of the secret, so a new secret takes a new token.
 */
const tokens = new Map<string, Token>()

/** One connection's calls to Sellsy: every URL is `baseUrl` + the real path when one is set. */
export class SellsyClient {
  private readonly settings: SellsySettings
  private readonly secrets: SellsySecrets
  private readonly signal: AbortSignal | undefined
  private readonly fetch: typeof fetch
  private readonly key: string

  constructor(settings: SellsySettings, secrets: SellsySecrets, signal?: AbortSignal) {
    this.settings = settings
    this.secrets = secrets
    this.signal = signal
    this.fetch = fetchWithSignal(signal)
    const secretHash = createHash('sha256').update(secrets.clientSecret).digest('hex')
    this.key = `${this.url(loginHost, tokenPath)} ${secrets.clientId} ${secretHash}`
  }

  /** `GET` or `POST` an API path under `/v2`, read with `schema`; the date Sellsy answered at. */
  async call<T>(
    schema: z.ZodType<T>,
    path: string,
    options: { query?: URLSearchParams; body?: unknown } = {},
  ): Promise<{ data: T; at: number }> {
    const query = options.query?.toString() ?? ''
    const url = `${this.url(apiHost, `/v2${path}`)}${query === '' ? '' : `?${query}`}`
    let token = await this.token()
    let response = await this.send(url, token, options.body)
    if (response.status === 401 && token.fresh !== true) {
      // A token Sellsy no longer takes (expired early, or the access was renewed): once more
      // with a new one, which a revoked access then fails to get.
      tokens.delete(this.key)
      token = await this.token()
      response = await this.send(url, token, options.body)
    }
    if (!response.ok) throw await classify(response)
    const parsed = schema.safeParse(await readJson(response))
    if (!parsed.success) {
      throw new SourceError('temporary', 'its answer could not be read', { cause: parsed.error })
    }
    return { data: parsed.data, at: serverSeconds(response.headers.get('date') ?? undefined) }
  }

  private async send(url: string, token: { value: string }, body: unknown): Promise<Response> {
    return this.request(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token.value}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  }

  /** A token still good for a while, else a new one from the token endpoint. */
  private async token(): Promise<{ value: string; fresh?: boolean }> {
    const known = tokens.get(this.key)
    if (known && known.renewAt > Date.now()) return known
    const response = await this.request(this.url(loginHost, tokenPath), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.secrets.clientId,
        client_secret: this.secrets.clientSecret,
      }).toString(),
    })
    if (!response.ok) throw await classify(response)
    const parsed = sellsyToken.safeParse(await readJson(response))
    if (!parsed.success) {
      throw new SourceError('temporary', 'its token answer could not be read', {
        cause: parsed.error,
      })
    }
    const lifetimeMs = parsed.data.expires_in * 1000
    // Renewed a minute before it expires (a tenth of its life when it is short).
    const renewAt = Date.now() + lifetimeMs - Math.min(60_000, lifetimeMs / 10)
    const token = { value: parsed.data.access_token, renewAt }
    tokens.set(this.key, token)
    return { ...token, fresh: true }
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    this.signal?.throwIfAborted()
    try {
      return await this.fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
    } catch (error) {
      this.signal?.throwIfAborted()
      if (isNetworkFailure(error)) {
        throw new SourceError('temporary', 'no answer over the network', { cause: error })
      }
      throw error
    }
  }

  private url(host: string, path: string): string {
    const base = this.settings.baseUrl?.replace(/\/+$/, '') ?? host
    return `${base}${path}`
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json()
  } catch (error) {
    throw new SourceError('temporary', 'its answer was not JSON', { cause: error })
  }
}

const quotas = [
  ['second', 1000],
  ['minute', 60_000],
  ['day', null],
  ['month', null],
] as const

/** A refusal as a SourceError, in Sellsy's words. */
export async function classify(response: Response): Promise<SourceError> {
  const { status } = response
  const body: unknown = await response.json().catch(() => null)
  const api = sellsyError.safeParse(body)
  const oauth = oauthError.safeParse(body)
  const said =
    (api.success ? api.data.error.message : undefined) ??
    (oauth.success
      ? (oauth.data.error_description ?? oauth.data.message ?? oauth.data.error)
      : undefined) ??
    'no reason given'
  if (status === 429) {
    // Sellsy names the quota used up in its X-Quota-Remaining-By-* headers; a Retry-After, when
    // one comes, says exactly.
    const spent = quotas.find(
      ([unit]) => response.headers.get(`x-quota-remaining-by-${unit}`) === '0',
    )
    const wait = retryAfterMs(response.headers.get('retry-after')) ?? (spent ? spent[1] : null)
    const quota = spent ? ` (the quota per ${spent[0]} is used up)` : ''
    return new SourceError('rate_limited', `too many requests${quota}`, { retryAfterMs: wait })
  }
  if (status === 401 || status === 403) return new SourceError('auth_revoked', said)
  // An invalid client at the token endpoint comes as 400 in some OAuth2 servers.
  if (
    status === 400 &&
    oauth.success &&
    /invalid_client|unauthorized_client/.test(oauth.data.error)
  ) {
    return new SourceError('auth_revoked', said)
  }
  if (status === 404) return new SourceError('not_found', said)
  return new SourceError('temporary', `error ${status}: ${said}`)
}
