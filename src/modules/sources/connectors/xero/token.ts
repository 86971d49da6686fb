import { createHash } from 'node:crypto'
import { z } from 'zod'
import { describeIssues, isNetworkFailure, retryAfterMs } from '../common.ts'
import { SourceError } from '../types.ts'
import { hosts } from './hosts.ts'
import {
  tokenError,
  tokenSet,
  xeroTenants,
  type XeroSecrets,
  type XeroSettings,
} from './schemas.ts'

/**
 * A small typed client for what the SDK cannot point at another host: the token endpoint and
 * `/connections` (xero-node hard-codes identity.xero.com and api.xero.com for them).
 */

const timeoutMs = 30_000

type Tokens = Pick<XeroSecrets, 'refreshToken' | 'accessToken' | 'expiresAt' | 'issuedWith'>

/** Names a refresh token without keeping a second copy of it. */
export const issuedWith = (refreshToken: string): string =>
  createHash('sha256').update(refreshToken).digest('base64url').slice(0, 22)

async function send(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
  const limit = AbortSignal.timeout(timeoutMs)
  try {
    return await fetch(url, { ...init, signal: signal ? AbortSignal.any([limit, signal]) : limit })
  } catch (error) {
    signal?.throwIfAborted()
    if (isNetworkFailure(error) || error instanceof Error) {
      throw new SourceError('temporary', 'no answer over the network', { cause: error })
    }
    throw error
  }
}

/** A failure of the identity or connections endpoint, classified. */
async function refused(response: Response): Promise<SourceError> {
  const body = await response.text()
  let said = `error ${response.status}`
  try {
    const parsed = tokenError.safeParse(JSON.parse(body))
    if (parsed.success) said = parsed.data.error
    else {
      const problem = z.looseObject({ Detail: z.string() }).safeParse(JSON.parse(body))
      if (problem.success) said = problem.data.Detail
    }
  } catch {
    // Not JSON: the status says enough.
  }
  if (response.status === 429) {
    return new SourceError('rate_limited', 'too many requests', {
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    })
  }
  // invalid_grant (a refresh token used, expired or revoked), invalid_client, 401/403.
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    return new SourceError('auth_revoked', said)
  }
  return new SourceError('temporary', `error ${response.status}: ${said}`)
}

async function grant(
  settings: Partial<XeroSettings>,
  client: { clientId: string; clientSecret: string },
  form: Record<string, string>,
  signal?: AbortSignal,
): Promise<Tokens & { accessToken: string; expiresAt: number; issuedWith: string }> {
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')
  const response = await send(
    hosts.token(settings),
    {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(form).toString(),
    },
    signal,
  )
  if (!response.ok) throw await refused(response)
  const parsed = tokenSet.safeParse(await response.json().catch(() => null))
  if (!parsed.success) {
    throw new SourceError('bad_data', `its token answer: ${describeIssues(parsed.error)}`)
  }
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    expiresAt: Math.floor(Date.now() / 1000) + parsed.data.expires_in,
    issuedWith: issuedWith(parsed.data.refresh_token),
  }
}

/** Trades the consent's code for tokens (PKCE: the verifier proves Roster asked for it). */
export const exchangeCode = (
  settings: Partial<XeroSettings>,
  client: { clientId: string; clientSecret: string },
  input: { code: string; redirectUri: string; codeVerifier: string },
  signal?: AbortSignal,
) =>
  grant(
    settings,
    client,
    {
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
    },
    signal,
  )

/** A new access token; Xero rotates the refresh token, the old one is refused from now on. */
export const refreshTokens = (settings: XeroSettings, secrets: XeroSecrets, signal?: AbortSignal) =>
  grant(
    settings,
    secrets,
    { grant_type: 'refresh_token', refresh_token: secrets.refreshToken },
    signal,
  )

/** The organisations the access token reaches. */
export async function tenantsOf(
  settings: Partial<XeroSettings>,
  accessToken: string,
  signal?: AbortSignal,
): Promise<{ id: string; name: string }[]> {
  const response = await send(
    hosts.connections(settings),
    { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } },
    signal,
  )
  if (!response.ok) throw await refused(response)
  const parsed = xeroTenants.safeParse(await response.json().catch(() => null))
  if (!parsed.success) {
    throw new SourceError('bad_data', `its connections: ${describeIssues(parsed.error)}`)
  }
  return parsed.data
    .filter((t) => (t.tenantType ?? 'ORGANISATION') === 'ORGANISATION')
    .map((t) => ({ id: t.tenantId, name: t.tenantName ?? t.tenantId }))
}
