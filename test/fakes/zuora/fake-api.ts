import { credentialsOf, type Failure, type FakeReply, type RecordedRequest } from '../fake-http.ts'

/** How the Zuora fake answers its calls, in Zuora's shapes (see fake-server.ts). */

export type Json = Record<string, unknown>

export interface ZuoraStore {
  readonly clientId: string
  readonly clientSecret: string
  readonly accounts: Map<string, Json>
  readonly contacts: Map<string, Json>
  now(): number
  /** A new access token for the client, with its lifetime in seconds. */
  grant(): { token: string; expiresIn: number }
  /** Whether a bearer token is one the fake issued and still good. */
  valid(token: string): boolean
}

/** The API's request budget per minute, as the RateLimit-* headers report it. */
const perMinute = 50_000

/** Answers one request the way a Zuora tenant would, from the fake's store. */
export function answer(
  store: ZuoraStore,
  request: RecordedRequest,
  failure: Failure | null,
): FakeReply | 'drop' {
  if (failure) return failed(failure)
  if (request.path === '/oauth/token') return token(store, request)
  const credentials = credentialsOf(request.headers.authorization)
  if (!credentials || credentials.password !== '' || !store.valid(credentials.user)) {
    return withLimits({ status: 401, body: { message: 'Authentication error' } })
  }
  if (request.method !== 'GET') return notFound()
  if (request.path === '/object-query/accounts') {
    return withLimits(query(store, request, 'account'))
  }
  if (request.path === '/object-query/contacts') {
    return withLimits(query(store, request, 'contact'))
  }
  return notFound()
}

function token(store: ZuoraStore, request: RecordedRequest): FakeReply {
  if (request.method !== 'POST') return notFound()
  const form = new URLSearchParams(request.body)
  if (form.get('grant_type') !== 'client_credentials') {
    return { status: 400, body: { error: 'unsupported_grant_type' } }
  }
  if (
    form.get('client_id') !== store.clientId ||
    form.get('client_secret') !== store.clientSecret
  ) {
    return {
      status: 401,
      body: { error: 'invalid_client', error_description: 'Bad client credentials' },
    }
  }
  const granted = store.grant()
  return {
    status: 200,
    body: {
      access_token: granted.token,
      token_type: 'bearer',
      expires_in: granted.expiresIn,
      scope:
        'entity.1a2b3c4d-0000-0000-0000-000000000000 platform.write service.usage.delete tenant.9999 user.2c92c0f8',
      jti: granted.token.slice(0, 32),
    },
  }
}

type Kind = 'account' | 'contact'

/** Which fields a filter or a sort may name (case does not matter), per object. */
const filterable: Record<Kind, string[]> = {
  account: ['id', 'name', 'accountNumber', 'status', 'currency', 'updatedDate', 'createdDate'],
  contact: ['id', 'accountId', 'workEmail', 'updatedDate', 'createdDate'],
}
const expandable: Record<Kind, string[]> = {
  account: ['billTo', 'soldTo', 'shipTo'],
  contact: [],
}

interface Filter {
  field: string
  op: 'EQ' | 'NE' | 'LT' | 'GT' | 'SW' | 'IN'
  value: string
}

/** `GET /object-query/{accounts|contacts}`: filter[], sort[], expand[], pageSize, cursor. */
function query(store: ZuoraStore, request: RecordedRequest, kind: Kind): FakeReply {
  const known = ['pageSize', 'cursor', 'filter[]', 'sort[]', 'expand[]', 'fields[]']
  for (const name of request.query.keys()) {
    if (!known.includes(name)) return invalid(`Invalid query parameter: ${name}`)
  }
  const size = Number(request.query.get('pageSize') ?? '10')
  if (!Number.isInteger(size) || size < 1 || size > 99) {
    return invalid('pageSize must be between 1 and 99')
  }
  const filters: Filter[] = []
  for (const raw of request.query.getAll('filter[]')) {
    const match = /^([A-Za-z_]+)\.(EQ|NE|LT|GT|SW|IN):(.*)$/i.exec(raw)
    const field = match && fieldOf(kind, match[1] ?? '')
    if (!match || !field) return invalid(`Invalid filter: ${raw}`)
    filters.push({
      field,
      op: (match[2] ?? 'EQ').toUpperCase() as Filter['op'],
      value: match[3] ?? '',
    })
  }
  const sorts = request.query.getAll('sort[]')
  if (sorts.length > 1) return invalid('Only one sort field is supported')
  const sortMatch = /^([A-Za-z_]+)\.(asc|desc)$/i.exec(sorts[0] ?? 'createdDate.asc')
  const sortField = sortMatch && fieldOf(kind, sortMatch[1] ?? '')
  if (!sortMatch || !sortField) return invalid(`Invalid sort: ${sorts[0] ?? ''}`)
  const descending = sortMatch[2]?.toLowerCase() === 'desc'
  const expand: string[] = []
  for (const name of request.query.getAll('expand[]')) {
    const found = expandable[kind].find((e) => e.toLowerCase() === name.toLowerCase())
    if (!found) return invalid(`Invalid expand: ${name}`)
    expand.push(found)
  }
  let after: [number | string, string] | null = null
  const cursor = request.query.get('cursor')
  if (cursor !== null) {
    try {
      after = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')).after
    } catch {
      return invalid('Invalid cursor')
    }
    if (!Array.isArray(after)) return invalid('Invalid cursor')
  }

  const records = kind === 'account' ? store.accounts : store.contacts
  const rows = [...records.values()]
    .filter((record) => filters.every((f) => matches(record, f)))
    .map((record) => ({ key: [sortValue(record[sortField]), String(record.id)] as const, record }))
    .sort((a, b) => compare(a.key, b.key) * (descending ? -1 : 1))
  const start =
    after === null
      ? 0
      : rows.findIndex((row) => compare(row.key, after) * (descending ? -1 : 1) > 0)
  const slice = start < 0 ? [] : rows.slice(start, start + size)
  const more = start >= 0 && start + size < rows.length
  const last = slice.at(-1)
  const data = slice.map(({ record }) => render(store, record, expand))
  return {
    status: 200,
    body: {
      ...(more && last
        ? { nextPage: Buffer.from(JSON.stringify({ after: last.key })).toString('base64') }
        : {}),
      data,
    },
  }
}

function render(store: ZuoraStore, record: Json, expand: string[]): Json {
  const data = structuredClone(record)
  for (const name of expand) {
    const id = record[`${name}Id`]
    const linked = typeof id === 'string' ? store.contacts.get(id) : undefined
    if (linked) data[name] = structuredClone(linked)
  }
  return data
}

function fieldOf(kind: Kind, name: string): string | undefined {
  return filterable[kind].find((field) => field.toLowerCase() === name.toLowerCase())
}

function sortValue(value: unknown): number | string {
  if (typeof value !== 'string') return ''
  const time = /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : Number.NaN
  return Number.isNaN(time) ? value : time
}

function compare(a: readonly [number | string, string], b: readonly [number | string, string]) {
  for (let i = 0; i < 2; i++) {
    const x = a[i] as number | string
    const y = b[i] as number | string
    if (x < y) return -1
    if (x > y) return 1
  }
  return 0
}

function matches(record: Json, { field, op, value }: Filter): boolean {
  const actual = record[field]
  const text =
    typeof actual === 'string' || typeof actual === 'number' || typeof actual === 'boolean'
      ? String(actual)
      : ''
  switch (op) {
    case 'EQ':
      return text === value
    case 'NE':
      return text !== value
    case 'SW':
      return text.startsWith(value)
    case 'IN':
      return value
        .replace(/^\[|\]$/g, '')
        .split(',')
        .includes(text)
    case 'LT':
    case 'GT': {
      const left = sortValue(text)
      const right = sortValue(value)
      return op === 'LT' ? left < right : left > right
    }
  }
}

/** Every API answer says where the tenant stands against its per-minute budget. */
function withLimits(reply: FakeReply): FakeReply {
  return {
    ...reply,
    headers: {
      'RateLimit-Limit': String(perMinute),
      'RateLimit-Remaining': String(perMinute - 1),
      'RateLimit-Reset': '60',
      ...reply.headers,
    },
  }
}

function invalid(message: string): FakeReply {
  return withLimits({ status: 400, body: { message } })
}

function notFound(): FakeReply {
  return { status: 404, body: { message: 'Not Found' } }
}

function failed(failure: Failure): FakeReply | 'drop' {
  switch (failure.status) {
    case 'drop':
      return 'drop'
    case 429:
      // Over the request budget: the window's headers; over the concurrency limit: none.
      return {
        status: 429,
        body: { message: 'Too many requests' },
        headers:
          failure.retryAfter === undefined
            ? {}
            : {
                'RateLimit-Limit': String(perMinute),
                'RateLimit-Remaining': '0',
                'RateLimit-Reset': String(failure.retryAfter),
              },
      }
    case 401:
      return { status: 401, body: { message: 'Authentication error' } }
    case 403:
      return {
        status: 403,
        body: { message: 'You do not have permission to access this resource' },
      }
    default:
      return {
        status: failure.status,
        body: { message: 'An unexpected error occurred. Please try again later.' },
      }
  }
}
