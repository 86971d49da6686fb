import type Stripe from 'stripe'
import { fetchWithSignal, isNetworkFailure, retryAfterMs } from '../common.ts'
import { SourceError } from '../types.ts'
import type { StripeSecrets, StripeSettings } from './schemas.ts'

let loaded: typeof Stripe | undefined

/** The SDK, loaded on first use: it is large, and most processes never call Stripe. */
export async function stripeSdk(): Promise<typeof Stripe> {
  loaded ??= (await import('stripe')).default
  return loaded
}

/** One request's time limit; the engine's policy decides whether a timed-out call is retried. */
const timeoutMs = 30_000

/**
 * The official SDK, pointed at `baseUrl` when one is set (a proxy or a fake). Retries are off:
 * the sync engine retries with its one policy. The SDK still repeats a request once when the
 * connection is reset before any answer (ECONNRESET/EPIPE, stripe-node's stale keep-alive
 * rule); with the fetch client used here those failures surface as a `fetch failed` error
 * without that code, so in practice it never retries on its own.
 */
export async function stripeClient(
  settings: StripeSettings,
  secrets: StripeSecrets,
  signal?: AbortSignal,
): Promise<Stripe> {
  const Stripe = await stripeSdk()
  const target = settings.baseUrl ? new URL(settings.baseUrl) : null
  return new Stripe(secrets.apiKey, {
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
    httpClient: Stripe.createFetchHttpClient(fetchWithSignal(signal)),
    ...(target && {
      host: target.hostname,
      port: target.port || (target.protocol === 'http:' ? 80 : 443),
      protocol: target.protocol === 'http:' ? 'http' : 'https',
    }),
  })
}

/** Calls Stripe and turns any failure into a SourceError (cancellation is passed on as is). */
export async function call<T>(signal: AbortSignal | undefined, request: () => Promise<T>) {
  signal?.throwIfAborted()
  try {
    return await request()
  } catch (error) {
    signal?.throwIfAborted()
    throw classifyStripeError(error)
  }
}

export function classifyStripeError(error: unknown): SourceError {
  if (error instanceof SourceError) return error
  // No Stripe error can exist before the SDK is loaded.
  const Stripe = loaded
  if (!Stripe || !(error instanceof Stripe.errors.StripeError)) {
    if (isNetworkFailure(error)) {
      return new SourceError('temporary', 'no answer over the network', { cause: error })
    }
    return new SourceError('temporary', 'its answer could not be read', { cause: error })
  }
  const status = error.statusCode
  const said = error.message
  if (status === 429 || error instanceof Stripe.errors.StripeRateLimitError) {
    return new SourceError('rate_limited', 'too many requests', {
      retryAfterMs: retryAfterMs(error.headers?.['retry-after']),
      cause: error,
    })
  }
  if (
    status === 401 ||
    status === 403 ||
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError
  ) {
    return new SourceError('auth_revoked', said, { cause: error })
  }
  if (status === 404) return new SourceError('not_found', said, { cause: error })
  if (error instanceof Stripe.errors.StripeConnectionError) {
    return new SourceError('temporary', 'no answer over the network', { cause: error })
  }
  return new SourceError('temporary', status ? `error ${status}: ${said}` : said, {
    cause: error,
  })
}
