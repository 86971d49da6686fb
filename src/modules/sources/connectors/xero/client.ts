import { z } from 'zod'
import { retryAfterMs, serverSeconds } from '../common.ts'
import { SourceError } from '../types.ts'
import { hosts } from './hosts.ts'
import { xeroContacts, type XeroSettings } from './schemas.ts'

/** One request's time limit; the engine's policy decides whether a timed-out call is retried. */
const timeoutMs = 30_000

export interface ContactsQuery {
  page: number
  pageSize: number
  /** Only contacts modified since then (If-Modified-Since, whole seconds). */
  modifiedSince?: Date
  includeArchived: boolean
}

export interface ContactsPage {
  contacts: unknown[]
  /** Xero's clock (its Date header), unix seconds. */
  serverSeconds: number
}

/**
 * Reads contacts with the official SDK's accounting API, pointed at `baseUrl` when one is set.
 * The SDK does no retries of its own; it takes no abort signal, so a cancelled or timed-out
 * call is let go (its answer ignored). The raw JSON answer is read with our schemas, not the
 * SDK's models.
 */
export async function getContacts(
  settings: XeroSettings,
  tenantId: string,
  accessToken: string,
  query: ContactsQuery,
  signal?: AbortSignal,
): Promise<ContactsPage> {
  signal?.throwIfAborted()
  // Loaded on first use: the SDK is large, and most processes never call Xero.
  const { AccountingApi } = await import('xero-node')
  const api = new AccountingApi(hosts.accounting(settings))
  api.accessToken = accessToken
  const request = api.getContacts(
    tenantId,
    query.modifiedSince,
    'IsCustomer==true',
    'UpdatedDateUTC ASC',
    undefined,
    query.page,
    query.includeArchived,
    undefined,
    undefined,
    query.pageSize,
  )
  let answered: Awaited<typeof request>
  try {
    answered = await within(request, signal)
  } catch (error) {
    signal?.throwIfAborted()
    throw classifyXeroError(error)
  }
  const body = xeroContacts.safeParse(answered.response.data)
  if (!body.success) {
    throw new SourceError('temporary', 'the contacts it answered could not be read', {
      cause: body.error,
    })
  }
  const date: unknown = answered.response.headers.date
  return {
    contacts: body.data.Contacts,
    serverSeconds: serverSeconds(typeof date === 'string' ? date : undefined),
  }
}

/** The call, or a rejection when the run is cancelled or it takes too long. */
function within<T>(request: Promise<T>, signal?: AbortSignal): Promise<T> {
  const limit = AbortSignal.timeout(timeoutMs)
  const stop = signal ? AbortSignal.any([limit, signal]) : limit
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      reject(stop.reason instanceof Error ? stop.reason : new Error('cancelled'))
    }
    stop.addEventListener('abort', abort, { once: true })
    request.then(resolve, reject).finally(() => {
      stop.removeEventListener('abort', abort)
    })
  })
}

/** What the SDK rejects with: its ApiError as JSON (status 0 when nothing answered). */
const sdkError = z.object({
  response: z.object({
    statusCode: z.number(),
    body: z.unknown(),
    headers: z.record(z.string(), z.unknown()).nullish(),
  }),
})
const problem = z.looseObject({ Detail: z.string().optional(), Title: z.string().optional() })

export function classifyXeroError(error: unknown): SourceError {
  if (error instanceof SourceError) return error
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return new SourceError('temporary', 'no answer in time', { cause: error })
  }
  let parsed: z.infer<typeof sdkError> | null = null
  if (typeof error === 'string') {
    try {
      parsed = sdkError.parse(JSON.parse(error))
    } catch {
      parsed = null
    }
  }
  if (!parsed) return new SourceError('temporary', 'its answer could not be read', { cause: error })
  const { statusCode: status, body, headers } = parsed.response
  const header = (name: string) => {
    const value = headers?.[name]
    return typeof value === 'string' ? value : null
  }
  if (status === 0) {
    return new SourceError('temporary', 'no answer over the network', { cause: error })
  }
  const said = problem.safeParse(body)
  const reason = (said.success && (said.data.Detail ?? said.data.Title)) || `error ${status}`
  if (status === 429) {
    const which = header('x-rate-limit-problem')
    return new SourceError(
      'rate_limited',
      which ? `too many requests (${which} limit)` : 'too many requests',
      {
        retryAfterMs: retryAfterMs(header('retry-after')),
        cause: error,
      },
    )
  }
  if (status === 401 || status === 403)
    return new SourceError('auth_revoked', reason, { cause: error })
  if (status === 404) return new SourceError('not_found', reason, { cause: error })
  return new SourceError('temporary', `error ${status}: ${reason}`, { cause: error })
}
