import { randomBytes } from 'node:crypto'
import {
  credentialsOf,
  parseQuery,
  type Failure,
  type FakeReply,
  type ParamValue,
  type RecordedRequest,
} from '../fake-http.ts'

/** How the Sellsy fake answers, in Sellsy's shapes (see fake-server.ts). */

export type Json = Record<string, unknown>

export interface SellsyStore {
  readonly clientId: string
  readonly clientSecret: string
  readonly tokenLifetime: number
  /** Access token → when it expires (the fake's seconds). */
  readonly tokens: Map<string, number>
  readonly companies: Map<number, Json>
  readonly individuals: Map<number, Json>
  readonly contacts: Map<number, Json>
  readonly links: { companies: Map<number, number[]>; individuals: Map<number, number[]> }
  readonly addresses: Map<number, Json>
  readonly quota: { perSecond?: number }
  /** Requests counted per second of the clock. */
  readonly spent: Map<number, number>
  now(): number
}

const numericLimit = 100_000

export function answer(
  store: SellsyStore,
  request: RecordedRequest,
  failure: Failure | null,
): FakeReply | 'drop' {
  const reply = route(store, request, failure)
  if (reply === 'drop') return reply
  reply.headers = { ...quotaHeaders(store), ...reply.headers }
  return reply
}

function route(
  store: SellsyStore,
  request: RecordedRequest,
  failure: Failure | null,
): FakeReply | 'drop' {
  if (failure) return failed(failure)
  const second = store.now()
  const spent = (store.spent.get(second) ?? 0) + 1
  store.spent.set(second, spent)
  if (store.quota.perSecond !== undefined && spent > store.quota.perSecond) {
    return {
      ...error(429, 'Request quota exceeded'),
      headers: { 'x-quota-remaining-by-second': '0' },
    }
  }
  if (request.path === '/oauth2/access-tokens') return token(store, request)
  const bearer = credentialsOf(request.headers.authorization)?.user ?? ''
  const expires = store.tokens.get(bearer)
  if (expires === undefined) return error(401, 'Invalid access token')
  if (expires <= store.now()) return error(401, 'Access token expired')
  const path = request.path.replace(/^\/v2/, '')
  if (path === request.path) return error(404, 'Not found')
  const params = parseQuery(request.query)
  let body: Json = {}
  if (request.method === 'POST') {
    try {
      body = JSON.parse(request.body || '{}') as Json
    } catch {
      return error(400, 'The request body is not valid JSON')
    }
  }
  const search = /^\/(companies|individuals|contacts)\/search$/.exec(path)
  if (request.method === 'POST' && search?.[1]) {
    return searchList(store, search[1] as Kind, params, body)
  }
  if (request.method !== 'GET') return error(404, 'Not found')
  if (path === '/companies') return searchList(store, 'companies', params, {})
  const one = /^\/(companies|individuals)\/(\d+)(\/contacts)?$/.exec(path)
  if (one?.[1] && one[2]) {
    const owner = one[1] as 'companies' | 'individuals'
    const record = store[owner].get(Number(one[2]))
    if (!record) return error(404, `${owner === 'companies' ? 'Company' : 'Individual'} not found`)
    if (!one[3]) return { status: 200, body: render(store, record, embeds(params)) }
    const ids = store.links[owner].get(Number(one[2])) ?? []
    const rows = ids.map((id) => store.contacts.get(id)).filter((row) => row !== undefined)
    return page(params, rows, 'id', (row) => structuredClone(row))
  }
  const companiesOf = /^\/contacts\/(\d+)\/companies$/.exec(path)
  if (companiesOf?.[1]) {
    const id = Number(companiesOf[1])
    if (!store.contacts.has(id)) return error(404, 'Contact not found')
    const rows = [...store.links.companies]
      .filter(([, contacts]) => contacts.includes(id))
      .map(([company]) => store.companies.get(company))
      .filter((row) => row !== undefined)
    return page(params, rows, 'id', (row) => render(store, row, embeds(params)))
  }
  return error(404, 'Not found')
}

/** The client-credentials grant, form-encoded, as Sellsy's login answers it. */
function token(store: SellsyStore, request: RecordedRequest): FakeReply {
  const form = new URLSearchParams(request.body)
  if (request.method !== 'POST') return error(405, 'Method not allowed')
  if (form.get('grant_type') !== 'client_credentials') {
    return oauth(
      400,
      'unsupported_grant_type',
      'The authorization grant type is not supported by the authorization server.',
    )
  }
  if (
    form.get('client_id') !== store.clientId ||
    form.get('client_secret') !== store.clientSecret
  ) {
    return oauth(401, 'invalid_client', 'Client authentication failed')
  }
  const value = randomBytes(24).toString('base64url')
  store.tokens.set(value, store.now() + store.tokenLifetime)
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: store.tokenLifetime, access_token: value },
  }
}

type Kind = 'companies' | 'individuals' | 'contacts'
type Params = Map<string, ParamValue>

const orders: Record<Kind, string[]> = {
  companies: ['id', 'name', 'created', 'updated_at'],
  individuals: ['id', 'last_name', 'created', 'updated_at'],
  contacts: ['id', 'last_name', 'created', 'updated'],
}

function searchList(store: SellsyStore, kind: Kind, params: Params, body: Json): FakeReply {
  const filters = (body.filters ?? {}) as Json
  if (typeof filters !== 'object') return error(400, 'filters must be an object')
  const asked = params.get('order')
  const order = typeof asked === 'string' ? asked : 'id'
  if (!orders[kind].includes(order)) {
    return error(400, 'Validation failed', { order: `must be one of ${orders[kind].join(', ')}` })
  }
  const direction = params.get('direction') === 'desc' ? -1 : 1
  const timeField = kind === 'contacts' ? 'updated' : 'updated_at'
  let rows = [...store[kind].values()].filter(
    (row) =>
      matchesRange(row[timeField], filters[timeField]) &&
      matchesRange(row.created, filters.created) &&
      (filters.is_archived === undefined || row.is_archived === filters.is_archived) &&
      matchesList(row.type, filters.type) &&
      matchesList(row.id, filters.id),
  )
  rows = rows.sort((a, b) => compare(keyOf(a, order), keyOf(b, order)) * direction)
  return page(params, rows, order, (row) => render(store, row, embeds(params)), direction)
}

type Key = [string | number, number]

function keyOf(row: Json, order: string): Key {
  const value = row[order]
  const sortable =
    order === 'id'
      ? Number(row.id)
      : typeof value === 'string' && /^\d{4}-/.test(value)
        ? Date.parse(value)
        : typeof value === 'string'
          ? value
          : ''
  return [sortable, Number(row.id)]
}

function compare(a: Key, b: Key): number {
  if (a[0] < b[0]) return -1
  if (a[0] > b[0]) return 1
  return a[1] - b[1]
}

/**
 * Sellsy's paging: `limit` up to 100 (25 by default). Without `offset`, or with a seek token,
 * the answer's `pagination.offset` is a token for its last row, the next page starting after
 * it; with a number (`offset=0` first), rows from that one, within the first 100,000.
 */
function page(
  params: Params,
  rows: Json[],
  order: string,
  renderRow: (row: Json) => Json,
  direction = 1,
): FakeReply {
  const limitParam = params.get('limit') ?? '25'
  const limit = Number(limitParam)
  if (typeof limitParam !== 'string' || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    return error(400, 'Validation failed', { limit: 'must be between 1 and 100' })
  }
  const offset = params.get('offset')
  let start = 0
  let numeric = false
  if (typeof offset === 'string' && /^\d+$/.test(offset)) {
    numeric = true
    start = Number(offset)
    if (start + limit > numericLimit) {
      return error(400, 'Validation failed', {
        offset: 'numeric offsets reach the first 100000 results only; use the seek offset',
      })
    }
  } else if (offset !== undefined) {
    const key = readSeek(offset)
    if (!key) return error(400, 'Validation failed', { offset: 'invalid offset' })
    start = rows.findIndex((row) => compare(keyOf(row, order), key) * direction > 0)
    if (start < 0) start = rows.length
  }
  const window = rows.slice(start, start + limit)
  const last = window.at(-1)
  const seek = last ? seekToken(keyOf(last, order)) : typeof offset === 'string' ? offset : null
  return {
    status: 200,
    body: {
      data: window.map(renderRow),
      pagination: {
        limit,
        count: window.length,
        total: rows.length,
        offset: numeric ? start : seek,
      },
    },
  }
}

const seekToken = (key: Key): string =>
  Buffer.from(JSON.stringify(key.map(String))).toString('base64')

function readSeek(offset: ParamValue): Key | null {
  if (typeof offset !== 'string') return null
  try {
    const parsed: unknown = JSON.parse(Buffer.from(offset, 'base64').toString('utf8'))
    if (!Array.isArray(parsed) || parsed.length !== 2) return null
    const [value, id] = parsed.map(String)
    if (value === undefined || id === undefined || !/^\d+$/.test(id)) return null
    return [/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value, Number(id)]
  } catch {
    return null
  }
}

function embeds(params: Params): string[] {
  const embed = params.get('embed')
  return Array.isArray(embed) ? embed : []
}

/** A record as listed: `_embed` holds what was asked for with `embed[]`. */
function render(store: SellsyStore, row: Json, embed: string[]): Json {
  const data = structuredClone(row)
  const embedded: Json = {}
  if (embed.includes('invoicing_address')) {
    const address = store.addresses.get(Number(row.invoicing_address_id))
    embedded.invoicing_address = address ? structuredClone(address) : null
  }
  if (embed.includes('main_contact')) {
    const contact = store.contacts.get(Number(row.main_contact_id))
    embedded.main_contact = contact ? structuredClone(contact) : null
  }
  if (Object.keys(embedded).length > 0) data._embed = embedded
  return data
}

function matchesRange(value: unknown, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true
  const range = filter as { start?: string; end?: string }
  const at = typeof value === 'string' ? Date.parse(value) : Number.NaN
  if (Number.isNaN(at)) return false
  return (
    (range.start === undefined || at >= Date.parse(range.start)) &&
    (range.end === undefined || at <= Date.parse(range.end))
  )
}

function matchesList(value: unknown, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true
  return (Array.isArray(filter) ? filter : [filter]).includes(value)
}

function quotaHeaders(store: SellsyStore): Record<string, string> {
  const used = store.spent.get(store.now()) ?? 0
  const perSecond = store.quota.perSecond ?? 10
  return {
    'x-quota-remaining-by-second': String(Math.max(0, perSecond - used)),
    'x-quota-remaining-by-minute': '290',
    'x-quota-remaining-by-day': '39000',
    'x-quota-remaining-by-month': '400000',
  }
}

function error(status: number, message: string, details: Json = {}): FakeReply {
  const context: Record<number, string | undefined> = {
    400: 'validation',
    401: 'authentication',
    403: 'authorization',
    404: 'not_found',
    429: 'quota',
  }
  return {
    status,
    body: {
      error: {
        code: status,
        message,
        context: context[status] ?? 'server',
        details,
      },
    },
  }
}

function oauth(status: number, code: string, description: string): FakeReply {
  return { status, body: { error: code, error_description: description, message: description } }
}

function failed(failure: Failure): FakeReply | 'drop' {
  switch (failure.status) {
    case 'drop':
      return 'drop'
    case 429: {
      const reply = error(429, 'Request quota exceeded')
      // With a wait: the minute's quota is spent and Retry-After says how long; without: the
      // day's, with nothing to wait for.
      reply.headers =
        failure.retryAfter === undefined
          ? { 'x-quota-remaining-by-day': '0' }
          : { 'x-quota-remaining-by-minute': '0', 'retry-after': String(failure.retryAfter) }
      return reply
    }
    case 401:
      return error(401, 'Access token expired')
    case 403:
      return error(403, 'This API access is not allowed to read companies')
    default:
      return error(failure.status, 'Internal server error')
  }
}
