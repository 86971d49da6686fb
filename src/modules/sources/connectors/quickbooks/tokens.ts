import { createHash } from 'node:crypto'
import type OAuthClient from 'intuit-oauth'
import { SourceError } from '../types.ts'
import {
  tokenError,
  tokenResponse,
  type QuickBooksSecrets,
  type QuickBooksSettings,
} from './schemas.ts'

/**
 * Intuit's OAuth 2.0 endpoints, through its own client (intuit-oauth). Each one is `baseUrl` plus
 * Intuit's real path when a base URL is set (a proxy or a fake serving API and tokens alike).
 */
export const intuitHosts = {
  authorize: 'https://appcenter.intuit.com',
  token: 'https://oauth.platform.intuit.com',
  revoke: 'https://developer.api.intuit.com',
  userInfo: 'https://accounts.platform.intuit.com',
}
export const intuitPaths = {
  authorize: '/connect/oauth2',
  token: '/oauth2/v1/tokens/bearer',
  revoke: '/v2/oauth2/tokens/revoke',
  userInfo: '/v1/openid_connect/userinfo',
}

export const accountingScope = 'com.intuit.quickbooks.accounting'

/** An access token is refreshed when less than this is left of it (runs take minutes). */
const marginMs = 10 * 60_000
const timeoutMs = 30_000

type Endpoints = Record<keyof typeof intuitPaths, string>

export function endpoints(settings: Partial<QuickBooksSettings>): Endpoints {
  const base = settings.baseUrl?.replace(/\/+$/, '')
  const at = (key: keyof typeof intuitPaths) => `${base ?? intuitHosts[key]}${intuitPaths[key]}`
  return {
    authorize: at('authorize'),
    token: at('token'),
    revoke: at('revoke'),
    userInfo: at('userInfo'),
  }
}

/**
 * An intuit-oauth client for the connection. Its own retries are off (the engine's policy
 * decides). Its endpoints are static (class-wide) in intuit-oauth: `use` sets them and starts
 * the request in the same tick, as the request reads them synchronously.
 */
export async function oauthClient(
  settings: Partial<QuickBooksSettings>,
  clientId: string,
  clientSecret: string,
  redirectUri = '',
) {
  // Loaded on first use: it is large, and most processes never call Intuit.
  const { default: OAuthClient } = await import('intuit-oauth')
  const client = new OAuthClient({
    environment: settings.environment ?? 'production',
    clientId,
    clientSecret,
    redirectUri,
  })
  client.shouldRetry = () => false
  const urls = endpoints(settings)
  const use = <T>(request: (c: OAuthClient) => T): T => {
    client.setAuthorizeURLs({
      authorizeEndpoint: urls.authorize,
      tokenEndpoint: urls.token,
      revokeEndpoint: urls.revoke,
      userInfoEndpoint: urls.userInfo,
    })
    return request(client)
  }
  return { use }
}

/** A fingerprint of a refresh token: ties the stored access token to the one it came with. */
export const fingerprint = (refreshToken: string): string =>
  createHash('sha256').update(refreshToken).digest('hex').slice(0, 16)

/**
 * The stored access token, when it is the current refresh token's and has time left: more than
 * the margin before a run (`fresh`), any when it is used (just refreshed, however short-lived).
 */
export function usableAccessToken(
  secrets: QuickBooksSecrets,
  use: 'fresh' | 'now',
  now = Date.now(),
): string | null {
  const { accessToken, accessTokenExpiresAt, accessTokenFor } = secrets
  if (!accessToken || !accessTokenExpiresAt) return null
  if (accessTokenFor !== fingerprint(secrets.refreshToken)) return null
  const left = Date.parse(accessTokenExpiresAt) - now
  return left > (use === 'fresh' ? marginMs : 0) ? accessToken : null
}

/** The secrets with a token answer applied: the new refresh token replaces the old one. */
export function withTokens<S extends QuickBooksSecrets>(secrets: S, answer: unknown): S {
  const parsed = tokenResponse.safeParse(answer)
  if (!parsed.success) {
    throw new SourceError('temporary', 'its token answer could not be read', {
      cause: parsed.error,
    })
  }
  const token = parsed.data
  return {
    ...secrets,
    refreshToken: token.refresh_token,
    accessToken: token.access_token,
    accessTokenExpiresAt: new Date(Date.now() + token.expires_in * 1000).toISOString(),
    accessTokenFor: fingerprint(token.refresh_token),
  }
}

/**
 * Exchanges the refresh token for a new access token and (Intuit rotates them) a new refresh
 * token, which replaces the old one at once: the caller stores the result before using it.
 */
export async function refreshTokens(
  settings: QuickBooksSettings,
  secrets: QuickBooksSecrets,
  signal?: AbortSignal,
): Promise<QuickBooksSecrets> {
  const client = await oauthClient(settings, secrets.clientId, secrets.clientSecret)
  const answer = await tokenCall(signal, () =>
    client.use((c) => c.refreshUsingToken(secrets.refreshToken)),
  )
  return withTokens(secrets, answer)
}

/** Calls the token endpoint through intuit-oauth; its failures as SourceErrors. */
export async function tokenCall(
  signal: AbortSignal | undefined,
  request: () => Promise<{ getJson(): unknown }>,
): Promise<unknown> {
  signal?.throwIfAborted()
  const limit = AbortSignal.timeout(timeoutMs)
  const stop = signal ? AbortSignal.any([limit, signal]) : limit
  let onAbort: (() => void) | undefined
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(stop.reason instanceof Error ? stop.reason : new Error('stopped'))
    }
    stop.addEventListener('abort', onAbort, { once: true })
  })
  try {
    const response = await Promise.race([request(), stopped])
    return response.getJson()
  } catch (error) {
    signal?.throwIfAborted()
    throw classifyTokenError(error)
  } finally {
    if (onAbort) stop.removeEventListener('abort', onAbort)
  }
}

/** The reasons Intuit's token endpoint gives, as a finance person can act on them. */
const refusals: Record<string, string> = {
  invalid_client: 'the client id or client secret is wrong (invalid_client)',
  invalid_grant: 'the refresh token was revoked, has expired or was already used (invalid_grant)',
  unauthorized_client: 'the app may not use this grant (unauthorized_client)',
}

export function classifyTokenError(error: unknown): SourceError {
  if (error instanceof SourceError) return error
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new SourceError('temporary', 'no answer over the network', { cause: error })
  }
  const wrapped = error as {
    error?: unknown
    authResponse?: { response?: { status?: unknown; headers?: Record<string, unknown> } }
  } | null
  const status = Number(wrapped?.authResponse?.response?.status ?? Number.NaN)
  const said = tokenError.safeParse({ error: wrapped?.error })
  const code = said.success ? said.data.error : ''
  if (Number.isNaN(status)) {
    return new SourceError('temporary', 'no answer over the network', { cause: error })
  }
  if (status === 429) return new SourceError('rate_limited', 'too many requests', { cause: error })
  if (status === 400 || status === 401 || status === 403) {
    return new SourceError('auth_revoked', refusals[code] ?? (code || `error ${status}`), {
      cause: error,
    })
  }
  return new SourceError('temporary', `error ${status}${code ? `: ${code}` : ''}`, {
    cause: error,
  })
}
