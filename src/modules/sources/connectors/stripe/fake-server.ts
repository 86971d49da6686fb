import Stripe from 'stripe'
import {
  credentialsOf,
  FakeHttp,
  fakeId,
  parseQuery,
  type Failure,
  type ParamValue,
  type FakeReply,
  type RecordedRequest,
} from '../fake-http.ts'

/**
 * A local stand-in for Stripe's API (test tooling), in Stripe's real shapes for what Roster
 * uses: `GET /v1/customers` (limit, starting_after, ending_before, created, email,
 * expand[]=data.tax_ids), `GET /v1/customers/{id}` (deleted stub, expand[]=tax_ids), and
 * `GET /v1/events` (types[], type, created, paging; 30 days kept), newest first like Stripe.
 * Unknown parameters are refused as Stripe does. The clock stands still until `advance()`.
 *
 *   const stripe = await StripeFake.start()
 *   stripe.createCustomer({ name: 'Acme', email: 'ap@acme.example' })
 *   stripeConnector.list({ settings: { baseUrl: stripe.url }, secrets: { apiKey: stripe.apiKey }, … })
 *   stripe.failNext(1, { status: 429, retryAfter: 2 }); await stripe.sendWebhook(url)
 *   await stripe.stop()
 */

type Json = Record<string, unknown>

export interface CustomerInput {
  name?: string | null
  email?: string | null
  phone?: string | null
  description?: string | null
  currency?: string | null
  address?: Json | null
  metadata?: Record<string, string>
}

interface StoredCustomer {
  seq: number
  data: Json
  taxIds: Json[]
  deleted: boolean
}

interface StoredEvent {
  seq: number
  event: Json
}

const eventsKeptSeconds = 30 * 86_400

export class StripeFake {
  readonly http: FakeHttp
  apiKey: string
  readonly webhookSecret: string
  private readonly customers = new Map<string, StoredCustomer>()
  private readonly events: StoredEvent[] = []
  private seq = 0

  private constructor(options: { apiKey?: string; webhookSecret?: string; now?: number }) {
    this.http = new FakeHttp(options.now)
    this.apiKey = options.apiKey ?? 'sk_test_roster_fake_key'
    this.webhookSecret = options.webhookSecret ?? 'whsec_roster_fake_secret'
  }

  static async start(
    options: { apiKey?: string; webhookSecret?: string; now?: number } = {},
  ): Promise<StripeFake> {
    const fake = new StripeFake(options)
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

  /** From now on the old key is refused with Stripe's 401, as when a key is rolled. */
  revokeKey(): void {
    this.apiKey = `sk_test_${fakeId('', 24)}`
  }

  stop(): Promise<void> {
    return this.http.close()
  }

  createCustomer(input: CustomerInput = {}): Json {
    const id = fakeId('cus_')
    const data: Json = {
      id,
      object: 'customer',
      address: input.address ?? null,
      balance: 0,
      created: this.now(),
      currency: input.currency ?? null,
      default_source: null,
      delinquent: false,
      description: input.description ?? null,
      discount: null,
      email: input.email ?? null,
      invoice_prefix: fakeId('', 8).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null },
      livemode: false,
      metadata: input.metadata ?? {},
      name: input.name ?? null,
      next_invoice_sequence: 1,
      phone: input.phone ?? null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: null,
    }
    this.customers.set(id, { seq: ++this.seq, data, taxIds: [], deleted: false })
    this.emit('customer.created', structuredClone(data))
    return structuredClone(data)
  }

  updateCustomer(id: string, changes: CustomerInput): Json {
    const stored = this.live(id)
    const previous: Json = {}
    for (const key of Object.keys(changes)) previous[key] = stored.data[key] ?? null
    Object.assign(stored.data, structuredClone(changes))
    this.emit('customer.updated', structuredClone(stored.data), previous)
    return structuredClone(stored.data)
  }

  deleteCustomer(id: string): void {
    const stored = this.live(id)
    stored.deleted = true
    this.emit('customer.deleted', structuredClone(stored.data))
  }

  addTaxId(customerId: string, taxId: { type: string; value: string; country?: string }): Json {
    const stored = this.live(customerId)
    const data: Json = {
      id: fakeId('txi_'),
      object: 'tax_id',
      country: taxId.country ?? null,
      created: this.now(),
      customer: customerId,
      livemode: false,
      type: taxId.type,
      value: taxId.value,
      verification: { status: 'unavailable', verified_address: null, verified_name: null },
    }
    stored.taxIds.push(data)
    this.emit('customer.tax_id.created', structuredClone(data))
    return structuredClone(data)
  }

  /** Stores a record as is (for bad data the API would never produce). */
  putRawCustomer(data: Json): void {
    this.customers.set(String(data.id), { seq: ++this.seq, data, taxIds: [], deleted: false })
    this.emit('customer.created', structuredClone(data))
  }

  /** The newest event, or the one with this id. */
  event(id?: string): Json {
    const found = id ? this.events.find((e) => e.event.id === id) : this.events.at(-1)
    if (!found) throw new Error(`No event ${id ?? 'yet'}`)
    return structuredClone(found.event)
  }

  /**
   * Posts an event to a webhook URL the way Stripe does: the JSON body and a Stripe-Signature
   * header over it. `tamper` changes the body after signing; `timestamp` signs at another time.
   */
  async sendWebhook(
    url: string,
    options: { eventId?: string; secret?: string; timestamp?: number; tamper?: boolean } = {},
  ): Promise<{ status: number; body: string }> {
    const payload = JSON.stringify(this.event(options.eventId))
    const header = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? this.webhookSecret,
      timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    })
    const body = options.tamper ? payload.replace('"livemode":false', '"livemode":true') : payload
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      body,
    })
    return { status: response.status, body: await response.text() }
  }

  private live(id: string): StoredCustomer {
    const stored = this.customers.get(id)
    if (!stored || stored.deleted) throw new Error(`No live Stripe customer ${id}`)
    return stored
  }

  private emit(type: string, object: Json, previous?: Json): void {
    const event: Json = {
      id: fakeId('evt_', 24),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: this.now(),
      data: previous ? { object, previous_attributes: previous } : { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: fakeId('req_'), idempotency_key: null },
      type,
    }
    this.events.push({ seq: ++this.seq, event })
  }

  private handle(request: RecordedRequest, failure: Failure | null): FakeReply | 'drop' {
    if (failure) return failed(failure)
    const key = credentialsOf(request.headers.authorization)?.user
    if (!key) {
      return error(401, 'You did not provide an API key. Provide it in the Authorization header.')
    }
    if (key !== this.apiKey) {
      return error(401, `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`)
    }
    if (request.method !== 'GET') return unknownUrl(request)
    const params = parseQuery(request.query)
    if (request.path === '/v1/customers') return this.listCustomers(params)
    if (request.path === '/v1/events') return this.listEvents(params)
    const one = /^\/v1\/customers\/([^/]+)$/.exec(request.path)
    if (one?.[1]) return this.retrieveCustomer(decodeURIComponent(one[1]), params)
    return unknownUrl(request)
  }

  private listCustomers(params: Params): FakeReply {
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
    const rows = [...this.customers.values()]
      .filter((c) => !c.deleted)
      .filter((c) => inRange(Number(c.data.created), params.get('created')))
      .filter((c) => !params.has('email') || c.data.email === params.get('email'))
      .map((c) => ({
        created: Number(c.data.created),
        seq: c.seq,
        body: this.render(c, expandTaxIds),
      }))
      .sort(newestFirst)
    return page('/v1/customers', rows, params, (id) => {
      const mark = this.customers.get(id)
      return mark && { created: Number(mark.data.created), seq: mark.seq, body: mark.data }
    })
  }

  private retrieveCustomer(id: string, params: Params): FakeReply {
    const refused = unknownParams(params, ['expand'])
    if (refused) return refused
    const stored = this.customers.get(id)
    if (!stored) return missing('customer', id)
    if (stored.deleted) return { status: 200, body: { id, object: 'customer', deleted: true } }
    return {
      status: 200,
      body: this.render(stored, asArray(params.get('expand')).includes('tax_ids')),
    }
  }

  private listEvents(params: Params): FakeReply {
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
    const oldest = this.now() - eventsKeptSeconds
    const rows = this.events
      .filter((e) => Number(e.event.created) >= oldest)
      .filter((e) => types.length === 0 || types.includes(String(e.event.type)))
      .filter((e) => typeof type !== 'string' || e.event.type === type)
      .filter((e) => inRange(Number(e.event.created), params.get('created')))
      .map((e) => ({ created: Number(e.event.created), seq: e.seq, body: e.event }))
      .sort(newestFirst)
    return page('/v1/events', rows, params, (id) => {
      const mark = this.events.find((e) => e.event.id === id)
      return mark && { created: Number(mark.event.created), seq: mark.seq, body: mark.event }
    })
  }

  private render(stored: StoredCustomer, withTaxIds: boolean): Json {
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
}

type Params = Map<string, ParamValue>

interface Row {
  created: number
  seq: number
  body: Json
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
      data: rows.slice(from, to).map((row) => row.body),
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
