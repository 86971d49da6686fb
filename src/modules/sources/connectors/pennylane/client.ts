import { z } from 'zod'
import { isNetworkFailure, retryAfterMs, serverSeconds, text } from '../common.ts'
import { SourceError } from '../types.ts'
import type { PennylaneSecrets, PennylaneSettings } from './schemas.ts'

/** Pennylane's production host; the API lives under `apiPath` on it. */
export const productionUrl = 'https://app.pennylane.com'
export const apiPath = '/api/external/v2'

/** One request's time limit; the engine's policy decides whether a timed-out call is retried. */
const timeoutMs = 30_000

export interface PennylaneAnswer {
  body: unknown
  /** Pennylane's clock, from its Date header, in unix seconds. */
  serverTime: number
}

/** What a refusal is classified from: the HTTP status, kept as the SourceError's cause. */
export class PennylaneRefusal extends Error {
  readonly status: number

  constructor(status: number, message: string) {
    super(message)
    this.name = 'PennylaneRefusal'
    this.status = status
  }
}

export interface PennylaneClient {
  get(path: string, query?: Record<string, string>): Promise<PennylaneAnswer>
}

/**
 * A small fetch client (Pennylane publishes no Node SDK): the bearer token on every call, no
 * retries of its own (the engine's one policy decides), every URL `baseUrl` + the real path when
 * a base URL is set, and stopped when the run is cancelled.
 */
export function pennylaneClient(
  settings: PennylaneSettings,
  secrets: PennylaneSecrets,
  signal?: AbortSignal,
): PennylaneClient {
  const root = `${(settings.baseUrl ?? productionUrl).replace(/\/+$/, '')}${apiPath}`
  return {
    async get(path, query = {}) {
      signal?.throwIfAborted()
      const url = new URL(`${root}${path}`)
      for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
      const limit = AbortSignal.timeout(timeoutMs)
      let response: Response
      try {
        response = await fetch(url, {
          headers: { authorization: `Bearer ${secrets.apiToken}`, accept: 'application/json' },
          signal: signal ? AbortSignal.any([limit, signal]) : limit,
        })
      } catch (error) {
        signal?.throwIfAborted()
        if (isNetworkFailure(error) || limit.aborted) {
          throw new SourceError('temporary', 'no answer over the network', { cause: error })
        }
        throw new SourceError('temporary', 'its answer could not be read', { cause: error })
      }
      const raw = await readText(response, signal)
      if (!response.ok) throw classifyPennylaneAnswer(response, raw)
      try {
        return {
          body: JSON.parse(raw) as unknown,
          serverTime: serverSeconds(response.headers.get('date') ?? undefined),
        }
      } catch (error) {
        throw new SourceError('temporary', 'its answer could not be read', { cause: error })
      }
    },
  }
}

async function readText(response: Response, signal: AbortSignal | undefined): Promise<string> {
  try {
    return await response.text()
  } catch (error) {
    signal?.throwIfAborted()
    throw new SourceError('temporary', 'no answer over the network', { cause: error })
  }
}

/** 401, 403 and 404 answer `{ "error": "…", "status": 401 }`; a 429 answers plain text. */
const errorBody = z.looseObject({ error: z.string().optional(), message: z.string().optional() })

export function classifyPennylaneAnswer(response: Response, raw: string): SourceError {
  const status = response.status
  const said = reasonOf(raw)
  const cause = new PennylaneRefusal(status, said ?? '')
  if (status === 429) {
    const headers = response.headers
    const now = serverSeconds(headers.get('date') ?? undefined) * 1000
    return new SourceError('rate_limited', said ?? 'too many requests', {
      retryAfterMs: retryAfterMs(headers.get('retry-after'), now) ?? resetIn(headers, now),
      cause,
    })
  }
  if (status === 401 || status === 403) {
    return new SourceError('auth_revoked', said ?? `error ${status}`, { cause })
  }
  if (status === 404) return new SourceError('not_found', said ?? 'not found', { cause })
  return new SourceError('temporary', `error ${status}: ${said ?? 'no reason given'}`, { cause })
}

/** The wait `ratelimit-reset` (a unix time) implies, when no Retry-After came with it. */
function resetIn(headers: Headers, now: number): number | null {
  const reset = Number(headers.get('ratelimit-reset') ?? Number.NaN)
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : null
}

function reasonOf(raw: string): string | null {
  try {
    const parsed = errorBody.safeParse(JSON.parse(raw))
    if (parsed.success) return text(parsed.data.error) ?? text(parsed.data.message)
  } catch {
    // Not JSON: Pennylane's 429 (and a proxy's page) answer text.
  }
  const plain = text(raw)
  return plain !== null && plain.length <= 200 && !plain.startsWith('<') ? plain : null
}

export function statusOf(error: unknown): number | null {
  return error instanceof SourceError && error.cause instanceof PennylaneRefusal
    ? error.cause.status
    : null
}
