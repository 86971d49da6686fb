import { FakeHttp, fakeId, type Failure, type RecordedRequest } from '../fake-http.ts'
import { answer, render, type ChargebeeStore, type Json, type Stored } from './fake-api.ts'

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

export class ChargebeeFake implements ChargebeeStore {
  readonly http: FakeHttp
  readonly site: string
  apiKey: string
  readonly webhookUsername: string
  readonly webhookPassword: string
  contactsInList: boolean
  readonly customers = new Map<string, Stored>()
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
    return render(stored, true)
  }

  updateCustomer(id: string, changes: Omit<CustomerInput, 'id' | 'contacts'>): Json {
    const stored = this.live(id)
    Object.assign(stored.data, structuredClone(changes))
    this.touch(stored, 'customer_changed')
    return render(stored, true)
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
      content: { customer: render(stored, true) },
    })
  }
}

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
