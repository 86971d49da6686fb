import type { Failure, FakeReply, RecordedRequest } from '../fake-http.ts'
import { credentialsOf } from '../fake-http.ts'

/**
 * The QuickBooks fake's answers, in Intuit's real shapes (test tooling): the Accounting API's
 * query endpoint and its Fault bodies, the OAuth 2.0 token endpoint and the consent page.
 */

export type Json = Record<string, any>

export interface QuickBooksStore {
  readonly realmId: string
  readonly clientId: string
  readonly clientSecret: string
  perMinute: number
  now(): number
  customers: Map<string, Json>
  /** The realm an access token opens, or why it does not. */
  accessTokenRealm(token: string): { realmId: string } | 'expired' | 'unknown'
  exchangeRefreshToken(token: string): Json | null
  exchangeCode(code: string, redirectUri: string): Json | null
  newCode(redirectUri: string): string
  countCall(realm: string): boolean
}

/** QuickBooks's clock: ISO 8601 at the company's offset (Pacific time, as sandboxes are). */
export function pacific(seconds: number): string {
  return new Date((seconds - 7 * 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, '-07:00')
}

const fault = (status: number, type: string, code: string, message: string, detail: string) => ({
  status,
  body: { Fault: { Error: [{ Message: message, Detail: detail, code }], type }, time: '' },
})

/** Authentication faults come in lower case, as Intuit sends them. */
const unauthorized = (detail: string): FakeReply => ({
  status: 401,
  body: {
    warnings: null,
    intuitObject: null,
    fault: {
      error: [
        {
          message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
          detail,
          code: '3200',
          element: null,
        },
      ],
      type: 'AUTHENTICATION',
    },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: Date.now(),
    status: null,
    cdcresponse: [],
  },
})

export const serverErrorDetail =
  'System Failure Error: An unexpected error occurred while accessing or saving your data.'

export function failureReply(failure: Failure): FakeReply | 'drop' {
  switch (failure.status) {
    case 'drop':
      return 'drop'
    case 429:
      return {
        ...fault(429, 'SERVICE', '429', 'Too Many Requests', 'Too many requests.'),
        ...(failure.retryAfter !== undefined && {
          headers: { 'retry-after': String(failure.retryAfter) },
        }),
      }
    case 401:
      return unauthorized('Token expired: the access token is not valid any more')
    case 403:
      return fault(
        403,
        'SECURITY',
        '003100',
        'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403',
        'The app is not authorized for this company.',
      )
    default:
      return fault(
        failure.status,
        'SystemFault',
        '10000',
        'An application error has occurred while processing your request',
        serverErrorDetail,
      )
  }
}

export function answer(
  store: QuickBooksStore,
  request: RecordedRequest,
  failure: Failure | null,
): FakeReply | 'drop' {
  if (request.path === '/connect/oauth2') return consentPage(store, request)
  if (request.path === '/connect/oauth2/decide') return decide(store, request)
  if (failure) return failureReply(failure)
  if (request.path === '/oauth2/v1/tokens/bearer' && request.method === 'POST') {
    return tokens(store, request)
  }
  const match = /^\/v3\/company\/([^/]+)\/query$/.exec(request.path)
  if (!match || request.method !== 'GET') {
    return fault(404, 'ValidationFault', '610', 'Object Not Found', `No route ${request.path}`)
  }
  const token = credentialsOf(request.headers.authorization)?.user ?? ''
  const realm = store.accessTokenRealm(token)
  if (realm === 'expired') return unauthorized('Token expired: ' + token.slice(0, 8))
  if (realm === 'unknown') return unauthorized('Token revoked')
  if (realm.realmId !== match[1]) {
    return fault(
      403,
      'SECURITY',
      '003100',
      'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403',
      `The token is not for company ${match[1] ?? ''}.`,
    )
  }
  if (!store.countCall(realm.realmId)) {
    return fault(
      429,
      'SERVICE',
      '003001',
      'message=ThrottleExceeded; errorCode=003001; statusCode=429',
      'The request limit was reached.',
    )
  }
  return query(store, request.query.get('query') ?? '')
}

const queryPattern =
  /^select\s+(\*|count\(\*\))\s+from\s+customer(?:\s+where\s+(.+?))?(?:\s+orderby\s+([\w.]+)(?:\s+(asc|desc))?)?(?:\s+startposition\s+(\d+))?(?:\s+maxresults\s+(\d+))?\s*$/i

function parserError(detail: string): FakeReply {
  return fault(400, 'ValidationFault', '4000', 'Error parsing query', `QueryParserError: ${detail}`)
}

type Filter = (c: Json) => boolean

const updatedAt = (c: Json): number => Date.parse(String(c.MetaData.LastUpdatedTime)) / 1000

function condition(text: string): Filter | { activeOnly: false } | null {
  const active = /^active\s+in\s*\(\s*true\s*,\s*false\s*\)$/i.exec(text)
  if (active) return { activeOnly: false }
  const activeIs = /^active\s*=\s*(true|false)$/i.exec(text)
  if (activeIs) {
    const wanted = activeIs[1]?.toLowerCase() === 'true'
    return (c) => c.Active === wanted
  }
  const time = /^metadata\.lastupdatedtime\s*(>=|<=|>|<|=)\s*'([^']+)'$/i.exec(text)
  if (time) {
    const at = Date.parse(time[2] ?? '') / 1000
    if (Number.isNaN(at)) return null
    const op = time[1]
    return (c) => {
      const t = updatedAt(c)
      return op === '>='
        ? t >= at
        : op === '>'
          ? t > at
          : op === '<='
            ? t <= at
            : op === '<'
              ? t < at
              : t === at
    }
  }
  const id = /^id\s*=\s*'([^']+)'$/i.exec(text)
  if (id) return (c) => c.Id === id[1]
  const ids = /^id\s+in\s*\(([^)]*)\)$/i.exec(text)
  if (ids) {
    const wanted = new Set((ids[1] ?? '').split(',').map((v) => v.trim().replace(/^'|'$/g, '')))
    return (c) => wanted.has(String(c.Id))
  }
  return null
}

function query(store: QuickBooksStore, text: string): FakeReply {
  const match = queryPattern.exec(text.trim())
  if (!match) return parserError(`Encountered an unexpected token in "${text}"`)
  const [, what = '*', where, orderBy, direction, start, max] = match
  let activeOnly = true
  const filters: Filter[] = []
  for (const part of where ? where.split(/\s+and\s+/i) : []) {
    const parsed = condition(part.trim())
    if (parsed === null) return parserError(`Invalid condition "${part}"`)
    if (typeof parsed === 'function') filters.push(parsed)
    else activeOnly = false
  }
  // Without Active in the filter, QuickBooks lists active customers only.
  if (activeOnly && !filters.length) filters.push((c) => c.Active !== false)
  else if (activeOnly) filters.push((c) => c.Active !== false)
  const matching = [...store.customers.values()].filter((c) => filters.every((f) => f(c)))
  const time = pacific(store.now())
  if (what !== '*') {
    return { status: 200, body: { QueryResponse: { totalCount: matching.length }, time } }
  }
  const key = orderBy?.toLowerCase() ?? 'id'
  if (key !== 'id' && key !== 'metadata.lastupdatedtime') {
    return parserError(`Cannot order by ${orderBy ?? ''}`)
  }
  const order = (c: Json): [number, number] =>
    key === 'id' ? [Number(c.Id), 0] : [updatedAt(c), Number(c._written)]
  matching.sort((a, b) => {
    const [a1, a2] = order(a)
    const [b1, b2] = order(b)
    return a1 - b1 || a2 - b2
  })
  if (direction?.toLowerCase() === 'desc') matching.reverse()
  const from = Number(start ?? 1)
  const size = Math.min(Number(max ?? 100), 1000)
  const page = matching
    .slice(from - 1, from - 1 + size)
    .map(({ _written, ...c }) => structuredClone(c))
  const body =
    page.length === 0
      ? { QueryResponse: {}, time }
      : { QueryResponse: { Customer: page, startPosition: from, maxResults: page.length }, time }
  return { status: 200, body }
}

/** `POST /oauth2/v1/tokens/bearer`: HTTP Basic client credentials, a form body. */
function tokens(store: QuickBooksStore, request: RecordedRequest): FakeReply {
  const client = credentialsOf(request.headers.authorization)
  if (client?.user !== store.clientId || client.password !== store.clientSecret) {
    return { status: 401, body: { error: 'invalid_client' } }
  }
  const form = new URLSearchParams(request.body)
  const grant = form.get('grant_type')
  if (grant !== 'refresh_token' && grant !== 'authorization_code') {
    return { status: 400, body: { error: 'unsupported_grant_type' } }
  }
  const answer =
    grant === 'refresh_token'
      ? store.exchangeRefreshToken(form.get('refresh_token') ?? '')
      : store.exchangeCode(form.get('code') ?? '', form.get('redirect_uri') ?? '')
  if (answer === null) return { status: 400, body: { error: 'invalid_grant' } }
  return { status: 200, body: answer }
}

const html = (status: number, page: string): FakeReply => ({
  status,
  body: page,
  raw: true,
  headers: { 'content-type': 'text/html; charset=utf-8' },
})

const redirect = (location: string): FakeReply => ({
  status: 302,
  body: '',
  raw: true,
  headers: { location },
})

/** Intuit's consent page: the app's name, the company, Allow and Deny. */
function consentPage(store: QuickBooksStore, request: RecordedRequest): FakeReply {
  const q = request.query
  const redirectUri = q.get('redirect_uri') ?? ''
  if (q.get('client_id') !== store.clientId || q.get('response_type') !== 'code' || !redirectUri) {
    return html(400, '<!doctype html><title>Error</title><p>invalid_request</p>')
  }
  if (!(q.get('scope') ?? '').split(' ').includes('com.intuit.quickbooks.accounting')) {
    return html(400, '<!doctype html><title>Error</title><p>invalid_scope</p>')
  }
  const decide = (allow: boolean) =>
    `/connect/oauth2/decide?${new URLSearchParams({ allow: String(allow), redirect_uri: redirectUri, state: q.get('state') ?? '' }).toString()}`
  return html(
    200,
    `<!doctype html><html><head><title>Connect to QuickBooks</title></head><body>
<h1>Roster wants to connect to your QuickBooks company</h1>
<p>Company ${store.realmId}</p>
<a id="allow" href="${escapeHtml(decide(true))}">Connect</a>
<a id="deny" href="${escapeHtml(decide(false))}">Cancel</a>
</body></html>`,
  )
}

function decide(store: QuickBooksStore, request: RecordedRequest): FakeReply {
  const q = request.query
  const target = new URL(q.get('redirect_uri') ?? '')
  target.searchParams.set('state', q.get('state') ?? '')
  if (q.get('allow') === 'true') {
    target.searchParams.set('code', store.newCode(q.get('redirect_uri') ?? ''))
    target.searchParams.set('realmId', store.realmId)
  } else {
    target.searchParams.set('error', 'access_denied')
  }
  return redirect(target.toString())
}

const escapeHtml = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
