import {
  credentialsOf,
  parseQuery,
  type Failure,
  type FakeReply,
  type ParamValue,
  type RecordedRequest,
} from '../fake-http.ts'

/** How the Chargebee fake answers its API calls, in Chargebee's shapes (see fake-server.ts). */

export type Json = Record<string, unknown>

export interface Stored {
  data: Json
  contacts: Json[]
}

export interface ChargebeeStore {
  readonly customers: Map<string, Stored>
  readonly apiKey: string
  readonly contactsInList: boolean
}

/** A customer as Chargebee shows it; `contacts` only when it has some and they are asked for. */
export function render(stored: Stored, withContacts: boolean): Json {
  const data = structuredClone(stored.data)
  if (withContacts && stored.contacts.length > 0) data.contacts = structuredClone(stored.contacts)
  return data
}

/** Answers one request the way a Chargebee site would, from the fake's store. */
export function answer(
  store: ChargebeeStore,
  request: RecordedRequest,
  failure: Failure | null,
): FakeReply | 'drop' {
  if (failure) return failed(failure)
  const credentials = credentialsOf(request.headers.authorization)
  if (credentials?.user !== store.apiKey) {
    return error(401, 'api_authentication_failed', 'Sorry, authentication failed. Invalid api key')
  }
  const path = request.path.replace(/^\/api\/v2/, '')
  if (request.method !== 'GET' || path === request.path) return notFound()
  const params = parseQuery(request.query)
  if (path === '/customers') return listCustomers(store, params)
  const match = /^\/customers\/([^/]+)(\/contacts)?$/.exec(path)
  const stored = match?.[1] ? store.customers.get(decodeURIComponent(match[1])) : undefined
  if (!stored || stored.data.deleted === true) return notFound()
  if (match?.[2]) return listContacts(stored, params)
  return { status: 200, body: { customer: render(stored, true) } }
}

function listCustomers(store: ChargebeeStore, params: Params): FakeReply {
  const known = ['limit', 'offset', 'sort_by', 'updated_at', 'created_at', 'include_deleted', 'id']
  const unknown = [...params.keys()].find((name) => !known.includes(name))
  if (unknown) return paramError(unknown, `${unknown} : is not a supported parameter`)
  const sort = params.get('sort_by')
  const sortBy = typeof sort === 'object' && !Array.isArray(sort) ? sort : { desc: 'created_at' }
  const [direction = 'desc', field = 'created_at'] = Object.entries(sortBy)[0] ?? []
  if (!['updated_at', 'created_at'].includes(field) || !['asc', 'desc'].includes(direction)) {
    return paramError('sort_by', 'sort_by : can only be created_at or updated_at')
  }
  const includeDeleted = params.get('include_deleted') === 'true'
  const ids = params.get('id')
  const rows = [...store.customers.values()]
    .filter((c) => includeDeleted || c.data.deleted !== true)
    .filter((c) => matchesTime(Number(c.data.updated_at), params.get('updated_at')))
    .filter((c) => matchesTime(Number(c.data.created_at), params.get('created_at')))
    .filter((c) => matchesId(String(c.data.id), ids))
    .map((c) => ({ key: [Number(c.data[field]), Number(c.data.resource_version)], stored: c }))
    .sort((a, b) => compareKeys(a.key, b.key) * (direction === 'asc' ? 1 : -1))
  return keysetPage(params, rows, direction, (row) => ({
    customer: render(row.stored, store.contactsInList),
  }))
}

function listContacts(stored: Stored, params: Params): FakeReply {
  const unknown = [...params.keys()].find((name) => !['limit', 'offset'].includes(name))
  if (unknown) return paramError(unknown, `${unknown} : is not a supported parameter`)
  const rows = stored.contacts.map((c, index) => ({ key: [index, index], contact: c }))
  return keysetPage(params, rows, 'asc', (row) => ({ contact: structuredClone(row.contact) }))
}

type Params = Map<string, ParamValue>

const compareKeys = (a: number[], b: number[]): number =>
  (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0)

/**
 * Chargebee's paging: `limit` 1–100 (10 by default); `next_offset` is an opaque string (here the
 * sort key of the last row, as Chargebee's own looks) and the next page starts after that key.
 */
function keysetPage<T extends { key: number[] }>(
  params: Params,
  rows: T[],
  direction: string,
  render: (row: T) => Json,
): FakeReply {
  const limitParam = params.get('limit') ?? '10'
  const limit = Number(limitParam)
  if (typeof limitParam !== 'string' || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    return paramError('limit', 'limit : The value must be between 1 and 100')
  }
  let start = 0
  const offset = params.get('offset')
  if (offset !== undefined) {
    const key = readOffset(offset)
    if (!key) return paramError('offset', 'offset : invalid value')
    const sign = direction === 'asc' ? 1 : -1
    start = rows.findIndex((row) => compareKeys(row.key, key) * sign > 0)
    if (start < 0) start = rows.length
  }
  const window = rows.slice(start, start + limit)
  const last = window.at(-1)
  const more = start + limit < rows.length && last !== undefined
  const body: Json = { list: window.map(render) }
  if (more) body.next_offset = JSON.stringify(last.key.map(String))
  return { status: 200, body }
}

function readOffset(offset: ParamValue): number[] | null {
  if (typeof offset !== 'string') return null
  try {
    const parsed: unknown = JSON.parse(offset)
    if (!Array.isArray(parsed) || parsed.length !== 2) return null
    const key = parsed.map(Number)
    return key.every(Number.isFinite) ? key : null
  } catch {
    return null
  }
}

function matchesTime(value: number, filter: ParamValue | undefined): boolean {
  if (filter === undefined) return true
  if (typeof filter === 'string' || Array.isArray(filter)) return false
  const { after, before, on, between } = filter
  const range = between ? (JSON.parse(between) as number[]) : null
  return (
    (after === undefined || value > Number(after)) &&
    (before === undefined || value < Number(before)) &&
    (on === undefined || value === Number(on)) &&
    (range === null || (value >= Number(range[0]) && value <= Number(range[1])))
  )
}

function matchesId(id: string, filter: ParamValue | undefined): boolean {
  if (filter === undefined) return true
  if (typeof filter !== 'object' || Array.isArray(filter)) return false
  if (filter.is !== undefined) return id === filter.is
  if (filter.in !== undefined) return (JSON.parse(filter.in) as string[]).includes(id)
  return true
}

function error(status: number, code: string, message: string, extra: Json = {}): FakeReply {
  return {
    status,
    body: {
      message,
      api_error_code: code,
      error_code: code,
      error_msg: message,
      http_status_code: status,
      ...extra,
    },
  }
}

function paramError(param: string, message: string): FakeReply {
  return error(400, 'param_wrong_value', message, { type: 'invalid_request', param })
}

function notFound(): FakeReply {
  return error(404, 'resource_not_found', "Sorry, we couldn't find that resource")
}

function failed(failure: Failure): FakeReply | 'drop' {
  switch (failure.status) {
    case 'drop':
      return 'drop'
    case 429: {
      const reply = error(
        429,
        'api_request_limit_exceeded',
        'Sorry, access has been blocked temporarily due to request count exceeding acceptable limits. Please try after some time.',
      )
      if (failure.retryAfter !== undefined)
        reply.headers = { 'retry-after': String(failure.retryAfter) }
      return reply
    }
    case 401:
      return error(
        401,
        'api_authentication_failed',
        'Sorry, authentication failed. Invalid api key',
      )
    case 403:
      return error(
        403,
        'api_authorization_failed',
        'Sorry, the API key does not allow this operation.',
      )
    default:
      return error(
        failure.status,
        'internal_error',
        'Sorry, something went wrong when trying to process the request.',
      )
  }
}
