import type Chargebee from 'chargebee'
import { z } from 'zod'
import { isNetworkFailure, retryAfterMs } from '../common.ts'
import { SourceError } from '../types.ts'
import type { ChargebeeSecrets, ChargebeeSettings } from './schemas.ts'

/** One request's time limit; the engine's policy decides whether a timed-out call is retried. */
const timeoutMs = 30_000

/**
 * The official SDK for the connection's site. Its own retries stay off (`retryConfig.enabled`
 * false, which also covers 429) so the engine's one policy decides. Requests go through our
 * fetch: to `baseUrl` instead of `https://{site}.chargebee.com` when one is set (a proxy or a
 * fake, keeping the `/api/v2/…` path), and stopped when the run is cancelled.
 */
export async function chargebeeClient(
  settings: ChargebeeSettings,
  secrets: ChargebeeSecrets,
  signal?: AbortSignal,
): Promise<Chargebee> {
  // Loaded on first use: most processes never call Chargebee.
  const { default: Chargebee } = await import('chargebee')
  return new Chargebee({
    site: settings.site,
    apiKey: secrets.apiKey,
    timeout: timeoutMs,
    retryConfig: { enabled: false },
    sdkTelemetryEnabled: false,
    httpClient: {
      makeApiRequest: (request, timeout) => send(request, timeout, settings.baseUrl, signal),
    },
  })
}

async function send(
  request: Request,
  timeout: number,
  baseUrl: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Response> {
  let url = request.url
  if (baseUrl) {
    const original = new URL(request.url)
    url = `${baseUrl.replace(/\/+$/, '')}${original.pathname}${original.search}`
  }
  const limit = AbortSignal.timeout(timeout)
  return fetch(url, {
    method: request.method,
    headers: request.headers,
    body: request.method === 'GET' ? undefined : await request.text(),
    signal: signal ? AbortSignal.any([limit, signal]) : limit,
  })
}

/** Calls Chargebee and turns any failure into a SourceError (cancellation is passed on as is). */
export async function call<T>(signal: AbortSignal | undefined, request: () => Promise<T>) {
  signal?.throwIfAborted()
  try {
    return await request()
  } catch (error) {
    signal?.throwIfAborted()
    throw classifyChargebeeError(error)
  }
}

/** What the SDK rejects with on an error answer: Chargebee's error body plus status and headers. */
const errorBody = z.looseObject({
  message: z.string().optional(),
  api_error_code: z.string().optional(),
  http_status_code: z.number().optional(),
  http_code: z.number().optional(),
  headers: z.record(z.string(), z.unknown()).nullish(),
})

export function classifyChargebeeError(error: unknown): SourceError {
  if (error instanceof SourceError) return error
  if (isNetworkFailure(error)) {
    return new SourceError('temporary', 'no answer over the network', { cause: error })
  }
  const parsed = errorBody.safeParse(error)
  const body = parsed.success ? parsed.data : {}
  const status = body.http_status_code ?? body.http_code
  const code = body.api_error_code
  const said = body.message ?? 'no reason given'
  if (status === 429 || code === 'api_request_limit_exceeded') {
    const header = body.headers?.['retry-after']
    return new SourceError('rate_limited', 'too many requests', {
      retryAfterMs: retryAfterMs(typeof header === 'string' ? header : null),
      cause: error,
    })
  }
  if (
    status === 401 ||
    status === 403 ||
    code === 'api_authentication_failed' ||
    code === 'api_authorization_failed'
  ) {
    return new SourceError('auth_revoked', said, { cause: error })
  }
  if (status === 404) return new SourceError('not_found', said, { cause: error })
  if (status === undefined) {
    return new SourceError('temporary', 'its answer could not be read', { cause: error })
  }
  return new SourceError('temporary', `error ${status}: ${said}`, { cause: error })
}
