import { createHash } from 'node:crypto'
import type { z } from 'zod'
import { describeIssues, isNetworkFailure } from '../common.ts'
import { SourceError } from '../types.ts'
import { tokenResponse, type SalesforceSecrets, type SalesforceSettings } from './schemas.ts'

/**
 * Salesforce through jsforce (its Node build): OAuth 2.0 on the login host, REST data calls on
 * the instance the token answer names. With `baseUrl`, both are that address plus Salesforce's
 * real paths (a proxy or a fake), and the token answer's `instance_url` is replaced by it.
 */
export const API_VERSION = '60.0'

export const loginHosts = {
  production: 'https://login.salesforce.com',
  sandbox: 'https://test.salesforce.com',
}

export const loginUrl = (settings: Partial<SalesforceSettings>): string =>
  settings.baseUrl?.replace(/\/+$/, '') ?? loginHosts[settings.environment ?? 'production']

/** jsforce, loaded on first use: it is large, and most processes never call Salesforce. */
const jsforce = () => import('jsforce')

export async function oauth2(
  settings: Partial<SalesforceSettings>,
  clientId: string,
  clientSecret: string,
  redirectUri?: string,
): Promise<InstanceType<Awaited<ReturnType<typeof jsforce>>['OAuth2']>> {
  const { OAuth2 } = await jsforce()
  return new OAuth2({
    loginUrl: loginUrl(settings),
    clientId,
    clientSecret,
    ...(redirectUri ? { redirectUri } : {}),
  })
}

/** Ties the stored access token to the refresh token it came with. */
export const fingerprint = (refreshToken: string): string =>
  createHash('sha256').update(refreshToken).digest('hex').slice(0, 16)

/** Sessions last two hours by default; Roster refreshes well before. */
const SESSION_MS = 60 * 60_000

export function usableSession(
  secrets: SalesforceSecrets,
  now = Date.now(),
): { accessToken: string; instanceUrl: string } | null {
  const { accessToken, instanceUrl, issuedAt, accessTokenFor } = secrets
  if (!accessToken || !instanceUrl || !issuedAt) return null
  if (accessTokenFor !== fingerprint(secrets.refreshToken)) return null
  return now - Date.parse(issuedAt) < SESSION_MS ? { accessToken, instanceUrl } : null
}

/** The secrets with a token answer applied (a rotated refresh token replaces the old one). */
export function withSession<S extends SalesforceSecrets>(
  settings: Partial<SalesforceSettings>,
  secrets: S,
  answer: unknown,
): S {
  const parsed = tokenResponse.safeParse(answer)
  if (!parsed.success) {
    throw new SourceError(
      'temporary',
      `its token answer could not be read (${describeIssues(parsed.error)})`,
    )
  }
  const token = parsed.data
  const refreshToken = token.refresh_token ?? secrets.refreshToken
  return {
    ...secrets,
    refreshToken,
    accessToken: token.access_token,
    instanceUrl: settings.baseUrl?.replace(/\/+$/, '') ?? token.instance_url,
    issuedAt: new Date().toISOString(),
    accessTokenFor: fingerprint(refreshToken),
  }
}

/** A new session from the refresh token. */
export async function refreshSession(
  settings: SalesforceSettings,
  secrets: SalesforceSecrets,
): Promise<SalesforceSecrets> {
  const client = await oauth2(settings, secrets.clientId, secrets.clientSecret)
  try {
    return withSession(settings, secrets, await client.refreshToken(secrets.refreshToken))
  } catch (error) {
    throw classify(error)
  }
}

/** What Salesforce's token endpoint says when it refuses, as a finance person can act on it. */
const tokenRefusals: Record<string, string> = {
  invalid_grant:
    'the refresh token was revoked or has expired (invalid_grant): the Salesforce user must allow access again',
  invalid_client_id: 'the consumer key is wrong (invalid_client_id)',
  invalid_client: 'the consumer key or secret is wrong (invalid_client)',
  inactive_user: 'the Salesforce user is inactive (inactive_user)',
  inactive_org: 'the Salesforce organisation is inactive (inactive_org)',
}

/** Turns a jsforce failure (HTTP API or OAuth) into a SourceError, once. */
export function classify(error: unknown): SourceError {
  if (error instanceof SourceError) return error
  if (isNetworkFailure(error) || (error instanceof TypeError && /fetch/i.test(error.message))) {
    return new SourceError('temporary', 'no answer over the network', { cause: error })
  }
  const e = error as { name?: unknown; errorCode?: unknown; message?: unknown } | null
  const name = typeof e?.name === 'string' ? e.name : ''
  const code = typeof e?.errorCode === 'string' ? e.errorCode : name
  const message = typeof e?.message === 'string' ? e.message : String(error)
  if (tokenRefusals[name])
    return new SourceError('auth_revoked', tokenRefusals[name], { cause: error })
  switch (code) {
    case 'INVALID_SESSION_ID':
    case 'INVALID_AUTH_HEADER':
      return new SourceError('auth_revoked', `${message} (${code})`, { cause: error })
    case 'REQUEST_LIMIT_EXCEEDED':
      return new SourceError('rate_limited', `${message} (REQUEST_LIMIT_EXCEEDED)`, {
        cause: error,
        retryAfterMs: 60 * 60_000,
      })
    case 'INVALID_QUERY_LOCATOR':
      return new SourceError('not_found', 'the query to continue has expired', { cause: error })
    case 'INVALID_FIELD':
    case 'INVALID_TYPE':
    case 'MALFORMED_QUERY':
      return new SourceError('bad_data', message, { cause: error })
    case 'ERROR_HTTP_429':
      return new SourceError('rate_limited', 'too many requests', { cause: error })
    case 'ERROR_HTTP_401':
      return new SourceError('auth_revoked', 'the session was refused', { cause: error })
  }
  if (/^ERROR_HTTP_5\d\d$/.test(code) || code === 'SERVER_UNAVAILABLE') {
    return new SourceError('temporary', `error ${code.replace('ERROR_HTTP_', '')}`, {
      cause: error,
    })
  }
  return new SourceError('temporary', message || code || 'unknown error', { cause: error })
}

/**
 * Roster stops a run when the organisation's daily API allocation (shared by every integration,
 * read from each answer's Sforce-Limit-Info) is nearly spent, leaving this share to the others.
 */
export const API_RESERVE = 0.1

export interface SalesforceApi {
  /** Any REST path (`/services/data/v60.0/query/…`) or one relative to the version root. */
  get<T>(path: string, schema: z.ZodType<T>): Promise<T>
  query<T>(soql: string, schema: z.ZodType<T>, all?: boolean): Promise<T>
  usage(): { used: number; limit: number } | null
}

/** A client on the session in `secrets` (refreshed by the engine before a run). */
export async function salesforceApi(
  settings: SalesforceSettings,
  secrets: SalesforceSecrets,
  signal?: AbortSignal,
): Promise<SalesforceApi> {
  const session = usableSession(secrets)
  if (!session) throw new SourceError('auth_revoked', 'the session has expired')
  const { Connection } = await jsforce()
  const conn = new Connection({
    instanceUrl: session.instanceUrl,
    accessToken: session.accessToken,
    version: API_VERSION,
  })
  const usage = () => conn.limitInfo.apiUsage ?? null
  async function get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    signal?.throwIfAborted()
    const spent = usage()
    if (spent && spent.used >= spent.limit * (1 - API_RESERVE)) {
      throw new SourceError(
        'rate_limited',
        `the organisation has used ${spent.used} of its ${spent.limit} daily API requests; Roster leaves the rest to other integrations`,
        { retryAfterMs: 60 * 60_000 },
      )
    }
    let body: unknown
    try {
      body = await conn.request(
        { method: 'GET', url: path },
        { retry: { maxRetries: 0, statusCodes: [] }, timeout: 120_000 },
      )
    } catch (error) {
      signal?.throwIfAborted()
      throw classify(error)
    }
    signal?.throwIfAborted()
    const parsed = schema.safeParse(body)
    if (!parsed.success) {
      throw new SourceError(
        'bad_data',
        `an answer could not be read (${describeIssues(parsed.error)})`,
      )
    }
    return parsed.data
  }
  return {
    get,
    query: (soql, schema, all = false) =>
      get(`/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`, schema),
    usage,
  }
}
