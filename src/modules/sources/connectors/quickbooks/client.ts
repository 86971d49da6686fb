import { setTimeout as wait } from 'node:timers/promises'
import { isNetworkFailure, retryAfterMs } from '../common.ts'
import { SourceError } from '../types.ts'
import { faultBody, queryResponse, type QuickBooksSettings } from './schemas.ts'

/** The Accounting API's hosts; `baseUrl` (a proxy or a fake) replaces them when set. */
export const apiHosts = {
  production: 'https://quickbooks.api.intuit.com',
  sandbox: 'https://sandbox-quickbooks.api.intuit.com',
}
/** Intuit ignores lower minor versions since August 2025; 75 is its default. */
const minorVersion = '75'
const timeoutMs = 30_000
/** Intuit's limit: 500 requests a minute per company (realm). */
const perMinute = 500
/** What Intuit advises after a throttled call that does not say how long to wait. */
const throttleWaitMs = 60_000

/**
 * Requests sent in the last minute, per company: this process keeps under Intuit's limit
 * rather than be throttled. (Several workers share the limit at Intuit, so a 429 can still
 * come; the engine waits as it says.)
 */
const sent = new Map<string, number[]>()

async function keepUnderLimit(realm: string, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const now = Date.now()
    const recent = (sent.get(realm) ?? []).filter((at) => now - at < 60_000)
    sent.set(realm, recent)
    if (recent.length < perMinute) {
      recent.push(now)
      return
    }
    await wait(60_000 - (now - (recent[0] ?? now)), undefined, { signal })
  }
}

/** A small client of the Accounting API for one company, with a fresh access token. */
export function quickbooksApi(
  settings: QuickBooksSettings,
  accessToken: string,
  signal?: AbortSignal,
) {
  const base = (settings.baseUrl ?? apiHosts[settings.environment ?? 'production']).replace(
    /\/+$/,
    '',
  )
  const company = `${base}/v3/company/${encodeURIComponent(settings.realmId)}`

  /** Runs a query (`SELECT … FROM Customer …`) and reads its answer. */
  async function query(text: string) {
    const url = `${company}/query?${new URLSearchParams({ query: text, minorversion: minorVersion }).toString()}`
    const body = await get(url)
    const parsed = queryResponse.safeParse(body)
    if (!parsed.success) {
      throw new SourceError('temporary', 'the query answer could not be read', {
        cause: parsed.error,
      })
    }
    return parsed.data
  }

  async function get(url: string): Promise<unknown> {
    signal?.throwIfAborted()
    await keepUnderLimit(`${base} ${settings.realmId}`, signal)
    const limit = AbortSignal.timeout(timeoutMs)
    let response: Response
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` },
        signal: signal ? AbortSignal.any([limit, signal]) : limit,
      })
    } catch (error) {
      signal?.throwIfAborted()
      if (isNetworkFailure(error)) {
        throw new SourceError('temporary', 'no answer over the network', { cause: error })
      }
      throw new SourceError('temporary', 'its answer could not be read', { cause: error })
    }
    const raw = await response.text().catch(() => '')
    const body = readJson(raw)
    if (response.ok) {
      if (body === null) throw new SourceError('temporary', 'its answer could not be read')
      return body
    }
    throw classifyFault(response.status, body, response.headers.get('retry-after'))
  }

  return { query }
}

/** The first error of a Fault body, in a few words: its detail, else its message. */
function faultReason(body: unknown): { said: string | null; code: string | null } {
  const parsed = faultBody.safeParse(body)
  if (!parsed.success) return { said: null, code: null }
  const first = parsed.data.Fault?.Error[0] ?? parsed.data.fault?.error[0]
  if (!first) return { said: null, code: null }
  const said = first.Detail ?? first.detail ?? first.Message ?? first.message ?? null
  return { said, code: first.code ?? null }
}

export function classifyFault(
  status: number,
  body: unknown,
  retryAfter: string | null,
): SourceError {
  const { said, code } = faultReason(body)
  const reason = said ?? 'no reason given'
  if (status === 429) {
    // Intuit's own throttle answer names no wait; it advises a minute.
    const asked = retryAfterMs(retryAfter)
    const throttled = code === '3001' || code === '003001'
    return new SourceError('rate_limited', 'too many requests', {
      retryAfterMs: asked ?? (throttled ? throttleWaitMs : null),
    })
  }
  if (status === 401 || status === 403) return new SourceError('auth_revoked', reason)
  if (status === 404) return new SourceError('not_found', reason)
  if (status === 400) return new SourceError('bad_data', `error 400: ${reason}`)
  return new SourceError('temporary', `error ${status}: ${reason}`)
}

function readJson(raw: string): unknown {
  if (raw === '') return null
  try {
    return JSON.parse(raw) as unknown
  } catch {
    return null
  }
}
