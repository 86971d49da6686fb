import { createHash, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { toCountryCode } from '../../../contracts/country.ts'
import { SourceError, type SkippedRecord } from './types.ts'

/**
 * Helpers the connectors share. Kept outside types.ts so the interface stays the engine's
 * contract; nothing here is specific to one system.
 */

/**
 * Thrown by `list()` in incremental mode when the stored cursor cannot be resumed without losing
 * changes (the source no longer keeps that much history, or a full run stopped half-way). Its
 * kind is `not_found` — the changes since the cursor are not found at the source any more — and
 * the engine should answer it with a full run.
 */
export class FullSyncRequiredError extends SourceError {
  readonly fullSyncRequired = true

  constructor(message: string) {
    super('not_found', message)
    this.name = 'FullSyncRequiredError'
  }
}

export function isFullSyncRequired(error: unknown): error is FullSyncRequiredError {
  return error instanceof FullSyncRequiredError
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined | null, now = Date.now()): number | null {
  if (value === undefined || value === null || value.trim() === '') return null
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** A header's single value, whatever the case of its name. */
export function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue
    return Array.isArray(value) ? value[0] : value
  }
  return undefined
}

/** The source's clock from its `Date` header, in unix seconds; our clock when it sent none. */
export function serverSeconds(date: string | undefined): number {
  const at = date === undefined ? Number.NaN : Date.parse(date)
  return Math.floor((Number.isNaN(at) ? Date.now() : at) / 1000)
}

/** How far ahead of Roster's clock a signed webhook time may be (clocks drift a little). */
export const webhookFutureSkewSeconds = 60

/**
 * Refuses a webhook whose signed time (unix seconds) is ahead of ours by more than the skew:
 * signature checks such as Stripe's only look at how old a call is, so a call dated in the
 * future would stay replayable for as long as it is ahead.
 */
export function refuseFutureTime(signedAt: number, nowSeconds = Date.now() / 1000): void {
  if (signedAt > nowSeconds + webhookFutureSkewSeconds) {
    throw new SourceError(
      'unverified',
      `The call is dated ${String(Math.round(signedAt - nowSeconds))} s in the future.`,
    )
  }
}

/** The `id` of a JSON body's top-level object, when it has a text one. */
export function bodyEventId(rawBody: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(rawBody.toString('utf8'))
    if (typeof parsed !== 'object' || parsed === null || !('id' in parsed)) return undefined
    const id = parsed.id
    return typeof id === 'string' && id !== '' && id.length <= 200 ? id : undefined
  } catch {
    return undefined
  }
}

/** Compares two secrets in constant time (hashing first, so lengths leak nothing either). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/**
 * Pages listed by a client made asynchronously (an SDK loaded on first use): the client is made
 * when the first page is asked for.
 */
export async function* listWith<C, T>(
  client: () => Promise<C>,
  list: (client: C) => AsyncIterable<T>,
): AsyncGenerator<T> {
  yield* list(await client())
}

/** `fetch` that also stops when the run is cancelled. */
export function fetchWithSignal(signal: AbortSignal | undefined): typeof fetch {
  if (!signal) return (input, init) => fetch(input, init)
  return (input, init) => {
    const own = init?.signal
    return fetch(input, { ...init, signal: own ? AbortSignal.any([own, signal]) : signal })
  }
}

/** A network failure below HTTP (refused, reset, DNS, TLS, timeout) from `fetch` or an SDK. */
export function isNetworkFailure(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code
    if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return true
    if (current.name === 'TimeoutError' || current.message === 'fetch failed') return true
    current = current.cause
  }
  return false
}

/** Renders a zod failure as one readable sentence about the field that is wrong. */
export function describeIssues(error: z.ZodError): string {
  const first = error.issues[0]
  if (!first) return 'its content could not be read'
  const path = first.path.map(String).join('.')
  return path === '' ? first.message : `${path}: ${first.message}`
}

const email = z.email()

/** Trimmed text, or null when empty or absent. */
export function text(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? ''
  return trimmed === '' ? null : trimmed
}

/** A trimmed email Roster accepts, or null. */
export function validEmail(value: string | null | undefined): string | null {
  const trimmed = text(value)
  return trimmed !== null && email.safeParse(trimmed).success ? trimmed : null
}

export function countryCode(value: string | null | undefined): string | null {
  const trimmed = text(value)
  return trimmed === null ? null : (toCountryCode(trimmed) ?? null)
}

const currencies = new Set(Intl.supportedValuesOf('currency'))

export function currencyCode(value: string | null | undefined): string | null {
  const code = text(value)?.toUpperCase() ?? null
  return code !== null && currencies.has(code) ? code : null
}

/** Address lines as Roster's single address field. */
export function joinLines(...lines: (string | null | undefined)[]): string | null {
  const kept = lines.map(text).filter((line): line is string => line !== null)
  return kept.length === 0 ? null : kept.join(', ')
}

/** A contact left out because its email is not one Roster can store, reported with its place. */
export function badEmail(customerId: string, contactId: string, value: string): SkippedRecord {
  return {
    externalId: `${customerId}/${contactId}`,
    reason: `Contact ${contactId} of customer ${customerId} was left out: "${value}" is not a valid email address.`,
  }
}
