import {
  credentialsOf,
  FakeHttp,
  fakeId,
  parseQuery,
  type Failure,
  type FakeReply,
  type ParamValue,
  type RecordedRequest,
} from '../fake-http.ts'

/**
 * A local stand-in for a Chargebee site's API v2 (test tooling), in Chargebee's real shapes for
 * what Roster uses: `GET /api/v2/customers` (limit, offset/next_offset, sort_by, updated_at and
 * created_at filters, include_deleted, id), `GET /api/v2/customers/{id}` and
 * `GET /api/v2/customers/{id}/contacts` (paged). HTTP Basic with the API key as user name;
 * errors carry Chargebee's error body. The clock stands still until `advance()`; every write
 * stamps `updated_at` with it and a fresh `resource_version`.
 *
 *   const cb = await ChargebeeFake.start()
 *   cb.createCustomer({ id: 'acme', email: 'ap@acme.example', contacts: [{ email: 'b@acme.example' }] })
 *   chargebeeConnector.list({ settings: { site: cb.site, baseUrl: cb.url }, secrets: { apiKey: cb.apiKey }, … })
 *   cb.failNext(1, { status: 429, retryAfter: 2 }); await cb.sendWebhook(url)
 */

type Json = Record<string, unknown>

export interface ContactInput {
  id?: string
  first_name?: string | null
  last_name?: string | null
  email?: string | null
  phone?: string | null
  label?: string | null
  enabled?: boolean
  send_billing_email?: boolean
  send_account_email?: boolean
}

export interface CustomerInput {
  id?: string
  first_name?: string | null
  last_name?: string | null
  email?: string | null
  phone?: string | null
  company?: string | null
  vat_number?: string | null
  vat_number_prefix?: string | null
  preferred_currency_code?: string | null
  billing_address?: Json | null
  contacts?: ContactInput[]
}

interface Stored {
  data: Json
  contacts: Json[]
}

export interface ChargebeeFakeOptions {
  site?: string
  apiKey?: string
  webhookUsername?: string
  webhookPassword?: string
  now?: number
  /** When false, listed customers come without `contacts[]` and need the contacts endpoint. */
  contactsInList?: boolean
}

const personalFields = ['first_name', 'last_name', 'email', 'phone', 'company', 'vat_number']

export class ChargebeeFake {
  readonly http: FakeHttp
  readonly site: string
  apiKey: string
  readonly webhookUsername: string
  readonly webhookPassword: string
  contactsInList: boolean
  private readonly customers = new Map<string, Stored>()
  private readonly events: Json[] = []
  private version = 0

  private constructor(options: ChargebeeFakeOptions) {
    this.http = new FakeHttp(options.now)
    this.site = options.site ?? 'roster-test'
    this.apiKey = options.apiKey ?? 'test_rosterFakeChargebeeKey'
    this.webhookUsername = options.webhookUsername ?? 'roster'
    this.webhookPassword = options.webhookPassword ?? 'webhook-password'
    this.contactsInList = options.contactsInList ?? true
  }

  static async start(options: ChargebeeFakeOptions = {}): Promise<ChargebeeFake> {
    const fake = new ChargebeeFake(options)
    await fake.http.listen((request, failure) => fake.handle(request, failure))
    return fake
  }

  get url(): string {
    return this.http.url
  }

  get requests(): RecordedRequest[] {
    return this.http.requests
  }

  now(): number {
    return this.http.now()
  }

  advance(seconds: number): void {
    this.http.advance(seconds)
  }

  failNext(count: number, failure: Failure): void {
    this.http.failNext(count, failure)
  }

  /** From now on the old key is refused with Chargebee's 401, as when a key is deleted. */
  revokeKey(): void {
    this.apiKey = fakeId('test_', 24)
  }

  stop(): Promise<void> {
    return this.http.close()
  }

  createCustomer(input: CustomerInput = {}): Json {
    const { contacts = [], ...fields } = input
    const id = input.id ?? fakeId('', 16)
    if (this.customers.has(id)) throw new Error(`Chargebee customer ${id} exists`)
    const data: Json = {
      id,
      auto_collection: 'off',
      net_term_days: 30,
      allow_direct_debit: false,
      taxability: 'taxable',
      created_at: this.now(),
      pii_cleared: 'active',
      deleted: false,
      object: 'customer',
      card_status: 'no_card',
      promotional_credits: 0,
      refundable_credits: 0,
      excess_payments: 0,
      unbilled_charges: 0,
      ...structuredClone(fields),
    }
    const stored: Stored = { data, contacts: contacts.map((c) => contact(c)) }
    this.customers.set(id, stored)
    this.touch(stored, 'customer_created')
    return this.render(stored, true)
  }

  updateCustomer(id: string, changes: Omit<CustomerInput, 'id' | 'contacts'>): Json {
    const stored = this.live(id)
    Object.assign(stored.data, structuredClone(changes))
    this.touch(stored, 'customer_changed')
    return this.render(stored, true)
  }

  /** Soft-deletes, as Chargebee does: listed again only with include_deleted=true. */
  deleteCustomer(id: string): void {
    const stored = this.live(id)
    stored.data.deleted = true
    this.touch(stored, 'customer_deleted')
  }

  /** Chargebee's clear_personal_data: personal fields blanked, contacts gone. */
  clearPersonalData(id: string): void {
    const stored = this.live(id)
    for (const field of personalFields) Reflect.deleteProperty(stored.data, field)
    Reflect.deleteProperty(stored.data, 'billing_address')
    stored.data.pii_cleared = 'cleared'
    stored.contacts = []
    this.touch(stored, 'customer_changed')
  }

  addContact(customerId: string, input: ContactInput): Json {
    const stored = this.live(customerId)
    const added = contact(input)
    stored.contacts.push(added)
    this.touch(stored, 'customer_changed')
    return structuredClone(added)
  }

  updateContact(customerId: string, contactId: string, changes: ContactInput): void {
    const stored = this.live(customerId)
    const found = stored.contacts.find((c) => c.id === contactId)
    if (!found) throw new Error(`No contact ${contactId} on ${customerId}`)
    Object.assign(found, structuredClone(changes))
    this.touch(stored, 'customer_changed')
  }

  removeContact(customerId: string, contactId: string): void {
    const stored = this.live(customerId)
    stored.contacts = stored.contacts.filter((c) => c.id !== contactId)
    this.touch(stored, 'customer_changed')
  }

  /** Stores a record as is (for bad data the API would never produce). */
  putRawCustomer(data: Json): void {
    const stored: Stored = { data: { ...data }, contacts: [] }
    this.customers.set(String(data.id), stored)
    this.touch(stored, 'customer_created')
  }

  /** The newest event (customer_created, customer_changed, customer_deleted). */
  event(): Json {
    const last = this.events.at(-1)
    if (!last) throw new Error('No Chargebee event yet')
    return structuredClone(last)
  }

  /**
   * Posts the newest event to a webhook URL as Chargebee does, with the endpoint's HTTP Basic
   * credentials (the fake's own unless given; `null` sends none).
   */
  async sendWebhook(
    url: string,
    options: { username?: string; password?: string; credentials?: null } = {},
  ): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (options.credentials !== null) {
      const user = options.username ?? this.webhookUsername
      const password = options.password ?? this.webhookPassword
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    }
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(this.event()),
    })
    return { status: response.status, body: await response.text() }
  }

  private live(id: string): Stored {
    const stored = this.customers.get(id)
    if (!stored || stored.data.deleted === true) throw new Error(`No live customer ${id}`)
    return stored
  }

  /** A write: updated_at from the clock, a resource_version that only grows, an event. */
  private touch(stored: Stored, eventType: string): void {
    this.version = Math.max(this.version + 1, this.now() * 1000)
    stored.data.updated_at = this.now()
    stored.data.resource_version = this.version
    this.events.push({
      id: fakeId('ev_', 20),
      occurred_at: this.now(),
      source: 'api',
      object: 'event',
      api_version: 'v2',
      event_type: eventType,
      webhook_status: 'scheduled',
      content: { customer: this.render(stored, true) },
    })
  }

  private render(stored: Stored, withContacts: boolean): Json {
    const data = structuredClone(stored.data)
    if (withContacts && stored.contacts.length > 0) data.contacts = structuredClone(stored.contacts)
    return data
  }

  private handle(request: RecordedRequest, failure: Failure | null): FakeReply | 'drop' {
    if (failure) return failed(failure)
    const credentials = credentialsOf(request.headers.authorization)
    if (credentials?.user !== this.apiKey) {
      return error(
        401,
        'api_authentication_failed',
        'Sorry, authentication failed. Invalid api key',
      )
    }
    const path = request.path.replace(/^\/api\/v2/, '')
    if (request.method !== 'GET' || path === request.path) return notFound()
    const params = parseQuery(request.query)
    if (path === '/customers') return this.listCustomers(params)
    const match = /^\/customers\/([^/]+)(\/contacts)?$/.exec(path)
    const stored = match?.[1] ? this.customers.get(decodeURIComponent(match[1])) : undefined
    if (!stored || stored.data.deleted === true) return notFound()
    if (match?.[2]) return this.listContacts(stored, params)
    return { status: 200, body: { customer: this.render(stored, true) } }
  }

  private listCustomers(params: Params): FakeReply {
    const known = [
      'limit',
      'offset',
      'sort_by',
      'updated_at',
      'created_at',
      'include_deleted',
      'id',
    ]
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
    const rows = [...this.customers.values()]
      .filter((c) => includeDeleted || c.data.deleted !== true)
      .filter((c) => matchesTime(Number(c.data.updated_at), params.get('updated_at')))
      .filter((c) => matchesTime(Number(c.data.created_at), params.get('created_at')))
      .filter((c) => matchesId(String(c.data.id), ids))
      .map((c) => ({ key: [Number(c.data[field]), Number(c.data.resource_version)], stored: c }))
      .sort((a, b) => compareKeys(a.key, b.key) * (direction === 'asc' ? 1 : -1))
    return keysetPage(params, rows, direction, (row) => ({
      customer: this.render(row.stored, this.contactsInList),
    }))
  }

  private listContacts(stored: Stored, params: Params): FakeReply {
    const unknown = [...params.keys()].find((name) => !['limit', 'offset'].includes(name))
    if (unknown) return paramError(unknown, `${unknown} : is not a supported parameter`)
    const rows = stored.contacts.map((c, index) => ({ key: [index, index], contact: c }))
    return keysetPage(params, rows, 'asc', (row) => ({ contact: structuredClone(row.contact) }))
  }
}

type Params = Map<string, ParamValue>

function contact(input: ContactInput): Json {
  return {
    id: input.id ?? fakeId('ct_', 10),
    enabled: true,
    send_billing_email: false,
    send_account_email: false,
    object: 'contact',
    ...structuredClone(input),
  }
}

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
