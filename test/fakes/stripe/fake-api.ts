import {
  credentialsOf,
  fakeId,
  parseQuery,
  type Failure,
  type FakeReply,
  type ParamValue,
  type RecordedRequest,
} from '../fake-http.ts'

/** How the Stripe fake answers its API calls, in Stripe's shapes (see fake-server.ts). */

export type Json = Record<string, unknown>

export interface StoredCustomer {
  seq: number
  data: Json
  taxIds: Json[]
  deleted: boolean
}

export interface StoredEvent {
  seq: number
  event: Json
}

export interface StripeStore {
  readonly customers: Map<string, StoredCustomer>
  readonly events: StoredEvent[]
  readonly apiKey: string
  now(): number
}

const eventsKeptSeconds = 30 * 86_400

/** Answers one request the way Stripe would, from the fake's store. */
export function answer(
  store: StripeStore,
  request: RecordedRequest,
  failure: Failure | null,
): FakeReply | 'drop' {
  if (failure) return failed(failure)
  const key = credentialsOf(request.headers.authorization)?.user
  if (!key) {
    return error(401, 'You did not provide an API key. Provide it in the Authorization header.')
  }
  if (key !== store.apiKey) {
    return error(401, `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`)
  }
  if (request.method !== 'GET') return unknownUrl(request)
  const params = parseQuery(request.query)
  if (request.path === '/v1/customers') return listCustomers(store, params)
  if (request.path === '/v1/events') return listEvents(store, params)
  const one = /^\/v1\/customers\/([^/]+)$/.exec(request.path)
  if (one?.[1]) return retrieveCustomer(store, decodeURIComponent(one[1]), params)
  return unknownUrl(request)
}

function listCustomers(store: StripeStore, params: Params): FakeReply {
  const refused = unknownParams(params, [
    'limit',
    'starting_after',
    'ending_before',
    'created',
    'email',
    'expand',
  ])
  if (refused) return refused
  const expandTaxIds = asArray(params.get('expand')).includes('data.tax_ids')
  const rows = [...store.customers.values()]
    .filter((c) => !c.deleted)
    .filter((c) => inRange(Number(c.data.created), params.get('created')))
    .filter((c) => !params.has('email') || c.data.email === params.get('email'))
    .map((c) => ({
      created: Number(c.data.created),
      seq: c.seq,
      body: () => render(c, expandTaxIds),
    }))
    .sort(newestFirst)
  return page('/v1/customers', rows, params, (id) => {
    const mark = store.customers.get(id)
    return mark && { created: Number(mark.data.created), seq: mark.seq, body: () => mark.data }
  })
}

function retrieveCustomer(store: StripeStore, id: string, params: Params): FakeReply {
  const refused = unknownParams(params, ['expand'])
  if (refused) return refused
  const stored = store.customers.get(id)
  if (!stored) return missing('customer', id)
  if (stored.deleted) return { status: 200, body: { id, object: 'customer', deleted: true } }
  return {
    status: 200,
    body: render(stored, asArray(params.get('expand')).includes('tax_ids')),
  }
}

function listEvents(store: StripeStore, params: Params): FakeReply {
  const refused = unknownParams(params, [
    'limit',
    'starting_after',
    'ending_before',
    'created',
    'type',
    'types',
    'delivery_success',
  ])
  if (refused) return refused
  const types = asArray(params.get('types'))
  const type = params.get('type')
  const oldest = store.now() - eventsKeptSeconds
  const rows = store.events
    .filter((e) => Number(e.event.created) >= oldest)
    .filter((e) => types.length === 0 || types.includes(String(e.event.type)))
    .filter((e) => typeof type !== 'string' || e.event.type === type)
    .filter((e) => inRange(Number(e.event.created), params.get('created')))
    .map((e) => ({ created: Number(e.event.created), seq: e.seq, body: () => e.event }))
    .sort(newestFirst)
  return page('/v1/events', rows, params, (id) => {
    const mark = store.events.find((e) => e.event.id === id)
    return mark && { created: Number(mark.event.created), seq: mark.seq, body: () => mark.event }
  })
}

/** A customer as Stripe shows it, with its tax ids when they are expanded. */
function render(stored: StoredCustomer, withTaxIds: boolean): Json {
  if (!withTaxIds) return structuredClone(stored.data)
  const id = String(stored.data.id)
  return {
    ...structuredClone(stored.data),
    tax_ids: {
      object: 'list',
      data: structuredClone(stored.taxIds),
      has_more: false,
      total_count: stored.taxIds.length,
      url: `/v1/customers/${id}/tax_ids`,
    },
  }
}

type Params = Map<string, ParamValue>

interface Row {
  created: number
  seq: number
  /** Rendered only for the rows a page returns. */
  body: () => Json
}

/** Stripe's order: newest first; among the same second, the latest written first. */
const newestFirst = (a: Row, b: Row): number => b.created - a.created || b.seq - a.seq

/**
 * Stripe's list paging: `limit` 1–100 (10 by default), `starting_after` / `ending_before` an
 * object id, which may have left the list since (a deleted customer still marks its place).
 */
function page(url: string, rows: Row[], params: Params, find: (id: string) => Row | undefined) {
  const limitParam = params.get('limit') ?? '10'
  const limit = Number(limitParam)
  if (typeof limitParam !== 'string' || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    return invalid(
      'limit',
      'This value must be greater than or equal to 1 and less than or equal to 100.',
    )
  }
  let start = 0
  let end = rows.length
  for (const name of ['starting_after', 'ending_before'] as const) {
    const value = params.get(name)
    if (value === undefined) continue
    const mark = typeof value === 'string' ? find(value) : undefined
    if (!mark) return invalid(name, `No such object: ${JSON.stringify(value)}`, 'resource_missing')
    // The first row listed after the mark; the mark itself when it is still listed.
    const after = rows.findIndex((row) => newestFirst(mark, row) < 0)
    const from = rows.findIndex((row) => newestFirst(mark, row) <= 0)
    if (name === 'starting_after') start = after < 0 ? rows.length : after
    else end = from < 0 ? rows.length : from
  }
  const backwards = params.has('ending_before')
  const from = backwards ? Math.max(start, end - limit) : start
  const to = backwards ? end : Math.min(end, start + limit)
  const hasMore = backwards ? from > start : to < end
  return {
    status: 200,
    body: {
      object: 'list',
      data: rows.slice(from, to).map((row) => row.body()),
      has_more: hasMore,
      url,
    },
  }
}

function inRange(value: number, filter: ParamValue | undefined): boolean {
  if (filter === undefined) return true
  if (typeof filter === 'string') return value === Number(filter)
  if (Array.isArray(filter)) return false
  const { gt, gte, lt, lte } = filter
  return (
    (gt === undefined || value > Number(gt)) &&
    (gte === undefined || value >= Number(gte)) &&
    (lt === undefined || value < Number(lt)) &&
    (lte === undefined || value <= Number(lte))
  )
}

function asArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String)
  return typeof value === 'string' ? [value] : []
}

function unknownParams(params: Params, known: string[]): FakeReply | null {
  const unknown = [...params.keys()].find((name) => !known.includes(name))
  return unknown === undefined
    ? null
    : invalid(unknown, `Received unknown parameter: ${unknown}`, 'parameter_unknown')
}

function error(
  status: number,
  message: string,
  extra: Json = {},
  headers?: Record<string, string>,
): FakeReply {
  return {
    status,
    body: { error: { message, type: 'invalid_request_error', ...extra } },
    headers: { 'request-id': fakeId('req_'), ...headers },
  }
}

function invalid(param: string, message: string, code = 'parameter_invalid_integer'): FakeReply {
  return error(400, message, { code, param })
}

function missing(what: string, id: string): FakeReply {
  return error(404, `No such ${what}: '${id}'`, { code: 'resource_missing', param: 'id' })
}

function unknownUrl(request: RecordedRequest): FakeReply {
  return error(404, `Unrecognized request URL (${request.method}: ${request.path}).`)
}

function failed(failure: Failure): FakeReply | 'drop' {
  switch (failure.status) {
    case 'drop':
      return 'drop'
    case 429:
      return error(
        429,
        'Request rate limit exceeded. Learn more about rate limits here https://docs.stripe.com/rate-limits.',
        { code: 'rate_limit' },
        failure.retryAfter === undefined
          ? undefined
          : { 'retry-after': String(failure.retryAfter) },
      )
    case 401:
      return error(401, 'Expired API Key provided: sk_test_****fake')
    case 403:
      return error(
        403,
        "The provided key 'rk_test_****fake' does not have the required permissions for this endpoint.",
      )
    default:
      return {
        status: failure.status,
        body: { error: { type: 'api_error', message: 'An unknown error occurred' } },
      }
  }
}
