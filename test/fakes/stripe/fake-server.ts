import Stripe from 'stripe'
import { FakeHttp, fakeId, type Failure, type RecordedRequest } from '../fake-http.ts'
import {
  answer,
  type Json,
  type StoredCustomer,
  type StoredEvent,
  type StripeStore,
} from './fake-api.ts'

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

export interface CustomerInput {
  name?: string | null
  email?: string | null
  phone?: string | null
  description?: string | null
  currency?: string | null
  address?: Json | null
  metadata?: Record<string, string>
}

export class StripeFake implements StripeStore {
  readonly http: FakeHttp
  apiKey: string
  readonly webhookSecret: string
  readonly customers = new Map<string, StoredCustomer>()
  readonly events: StoredEvent[] = []
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
    await fake.http.listen((request, failure) => answer(fake, request, failure))
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
}
