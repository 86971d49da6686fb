import type { Failure, FakeReply, RecordedRequest } from '../fake-http.ts'

/** How the Pennylane fake answers its API calls, in Pennylane's shapes (see fake-server.ts). */

export type Json = Record<string, unknown>

export interface PennylaneStore {
  readonly customers: Map<number, Json>
  /** The customers changelog, oldest first; only appended to. */
  readonly changelog: Json[]
  readonly apiToken: string
  /** The name of the list filter parameter (Pennylane's guides spell it both ways). */
  readonly filterParam: 'filter' | 'filters'
  now(): number
}

export const apiPath = '/api/external/v2'
/** Pennylane keeps its changelogs 4 weeks. */
const keptSeconds = 28 * 86_400
/** 25 requests per 5 seconds, per token. */
const rateLimit = 25

/** Answers one request the way Pennylane's Company API v2 would, from the fake's store. */
export function answer(
  store: PennylaneStore,
  request: RecordedRequest,
  failure: Failure | null,
): FakeReply | 'drop' {
  if (failure) return failed(store, failure)
  const token = /^bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
  if (token !== store.apiToken) return error(401, 'Unauthorized')
  const path = request.path.startsWith(`${apiPath}/`) ? request.path.slice(apiPath.length) : null
  if (request.method !== 'GET' || path === null) return error(404, 'Not Found')
  const reply = route(store, path, request.query)
  reply.headers = { ...rateHeaders(store, rateLimit - 1), ...reply.headers }
  return reply
}

function route(store: PennylaneStore, path: string, query: URLSearchParams): FakeReply {
  if (path === '/customers') return listCustomers(store, query)
  if (path === '/changelogs/customers') return listChanges(store, query)
  const match = /^\/(customers|company_customers|individual_customers)\/(\d+)$/.exec(path)
  const customer = match?.[2] ? store.customers.get(Number(match[2])) : undefined
  if (!customer) return error(404, 'Not Found')
  const type = match?.[1]
  if (type !== 'customers' && `${String(customer.customer_type)}_customers` !== type) {
    return error(404, 'Not Found')
  }
  return { status: 200, body: structuredClone(customer) }
}

interface Filter {
  field: string
  operator: string
  value: unknown
}

/**
 * `GET /customers`: `limit` 1–100 (20 by default), `sort` id or -id (-id by default), `filter`
 * a JSON array of {field, operator, value}, and an opaque `cursor` that keeps no query state
 * (the filter and sort are sent again with it).
 */
function listCustomers(store: PennylaneStore, query: URLSearchParams): FakeReply {
  const limit = readLimit(query, 100)
  if (typeof limit !== 'number') return limit
  const sort = query.get('sort') ?? '-id'
  if (sort !== 'id' && sort !== '-id') return error(400, 'sort: must be one of id, -id')
  let filters: Filter[] = []
  // Another name is ignored, as unknown parameters are.
  const rawFilter = query.get(store.filterParam)
  if (rawFilter !== null) {
    const parsed = readFilters(rawFilter)
    if (typeof parsed === 'string') return error(400, parsed)
    filters = parsed
  }
  const after = readCursor(query.get('cursor'))
  if (after === 'bad') return error(400, 'cursor: is invalid')
  const direction = sort === 'id' ? 1 : -1
  const rows = [...store.customers.values()]
    .filter((c) => filters.every((f) => matches(c, f)))
    .sort((a, b) => (Number(a.id) - Number(b.id)) * direction)
    .filter((c) => after === null || (Number(c.id) - after) * direction > 0)
  const items = rows.slice(0, limit)
  const more = rows.length > limit
  const last = items.at(-1)
  return {
    status: 200,
    body: {
      has_more: more,
      next_cursor: more && last ? cursorOf(Number(last.id)) : null,
      items: structuredClone(items),
    },
  }
}

/**
 * `GET /changelogs/customers`: `limit` 1–1000, `start_date` (RFC 3339, on or after, at most 4
 * weeks back, else 422) or `cursor`, never both (400).
 */
function listChanges(store: PennylaneStore, query: URLSearchParams): FakeReply {
  const limit = readLimit(query, 1000)
  if (typeof limit !== 'number') return limit
  const startDate = query.get('start_date')
  const cursor = query.get('cursor')
  if (startDate !== null && cursor !== null) {
    return error(400, 'start_date and cursor cannot be used together')
  }
  const oldest = store.now() - keptSeconds
  let start: number
  if (startDate !== null) {
    const at = Date.parse(startDate)
    if (Number.isNaN(at)) return error(400, 'start_date: is not a valid date')
    if (at / 1000 < oldest) {
      return error(422, 'start_date must be within the last 4 weeks')
    }
    start = store.changelog.findIndex((item) => Date.parse(String(item.processed_at)) >= at)
  } else if (cursor !== null) {
    const index = readCursor(cursor)
    if (index === 'bad' || index === null) return error(400, 'cursor: is invalid')
    start = index
  } else {
    start = store.changelog.findIndex(
      (item) => Date.parse(String(item.processed_at)) / 1000 >= oldest,
    )
  }
  if (start < 0) start = store.changelog.length
  const items = store.changelog.slice(start, start + limit)
  const more = start + limit < store.changelog.length
  return {
    status: 200,
    body: {
      items: structuredClone(items),
      has_more: more,
      next_cursor: more ? cursorOf(start + limit) : null,
    },
  }
}

function readLimit(query: URLSearchParams, max: number): number | FakeReply {
  const raw = query.get('limit') ?? '20'
  const limit = Number(raw)
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    return error(400, `limit: must be between 1 and ${max}`)
  }
  return limit
}

const filterFields: Record<string, string[]> = {
  id: ['lt', 'lteq', 'gt', 'gteq', 'eq', 'not_eq', 'in', 'not_in'],
  customer_type: ['eq', 'not_eq'],
  ledger_account_id: ['eq', 'not_eq'],
  name: ['start_with', 'eq'],
  external_reference: ['start_with', 'eq', 'not_eq', 'in', 'not_in'],
  reg_no: ['eq', 'not_eq', 'in', 'not_in'],
}

function readFilters(raw: string): Filter[] | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return 'filter: is not valid JSON'
  }
  if (!Array.isArray(parsed)) return 'filter: must be an array'
  for (const f of parsed as Filter[]) {
    if (!filterFields[f.field]?.includes(f.operator)) {
      return `filter: ${f.field} cannot be filtered with ${f.operator}`
    }
  }
  return parsed as Filter[]
}

function matches(customer: Json, { field, operator, value }: Filter): boolean {
  const own =
    field === 'ledger_account_id' ? (customer.ledger_account as Json | null)?.id : customer[field]
  const list = Array.isArray(value) ? value.map(String) : []
  const [a, b] = [String(own), String(value)]
  switch (operator) {
    case 'eq':
      return a === b
    case 'not_eq':
      return a !== b
    case 'in':
      return list.includes(a)
    case 'not_in':
      return !list.includes(a)
    case 'start_with':
      return a.startsWith(b)
    case 'lt':
      return Number(own) < Number(value)
    case 'lteq':
      return Number(own) <= Number(value)
    case 'gt':
      return Number(own) > Number(value)
    case 'gteq':
      return Number(own) >= Number(value)
    default:
      return false
  }
}

const cursorOf = (n: number): string => Buffer.from(`cursor:${n}`).toString('base64url')

function readCursor(cursor: string | null): number | null | 'bad' {
  if (cursor === null || cursor === '') return null
  const match = /^cursor:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  return match?.[1] ? Number(match[1]) : 'bad'
}

function rateHeaders(store: PennylaneStore, remaining: number): Record<string, string> {
  return {
    'ratelimit-limit': String(rateLimit),
    'ratelimit-remaining': String(remaining),
    'ratelimit-reset': String(store.now() + 5),
  }
}

function error(status: number, message: string): FakeReply {
  return { status, body: { error: message, status } }
}

function failed(store: PennylaneStore, failure: Failure): FakeReply | 'drop' {
  switch (failure.status) {
    case 'drop':
      return 'drop'
    case 429: {
      const wait = failure.retryAfter
      if (wait === undefined) {
        return {
          status: 429,
          body: 'Rate limit exceeded.',
          raw: true,
          headers: { 'content-type': 'text/plain' },
        }
      }
      return {
        status: 429,
        body: `Rate limit exceeded. Please retry in ${wait} seconds.`,
        raw: true,
        headers: {
          'content-type': 'text/plain',
          'retry-after': String(wait),
          ...rateHeaders(store, 0),
          'ratelimit-reset': String(store.now() + wait),
        },
      }
    }
    case 401:
      return error(401, 'Unauthorized')
    case 403:
      return error(403, 'Forbidden')
    default:
      return error(failure.status, 'Internal Server Error')
  }
}
