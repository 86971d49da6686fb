import { FakeHttp, fakeId, type Failure, type RecordedRequest } from '../fake-http.ts'
import { answer, apiPath, type Json, type PennylaneStore } from './fake-api.ts'

/**
 * A local stand-in for Pennylane's Company API v2 (test tooling), in Pennylane's real shapes for
 * what Roster uses: `GET /api/external/v2/customers` (cursor paging, limit, sort, filter),
 * `GET /customers/{id}` (and by type), `GET /changelogs/customers` (start_date or cursor, 4
 * weeks kept, 422 older). Bearer token; errors `{ error, status }`; a 429 in plain text with
 * `retry-after` and `ratelimit-*`. The clock stands still until `advance()`; every write stamps
 * `updated_at` and a changelog entry, to the microsecond as Pennylane writes them.
 *
 *   const pl = await PennylaneFake.start()
 *   pl.createCustomer({ name: 'Acme', emails: ['ap@acme.example', 'cfo@acme.example'] })
 *   pennylaneConnector.list({ settings: { baseUrl: pl.url }, secrets: { apiToken: pl.apiToken }, … })
 *   pl.failNext(1, { status: 429, retryAfter: 2 })
 */

export interface CustomerInput {
  customer_type?: 'company' | 'individual'
  name?: string | null
  first_name?: string | null
  last_name?: string | null
  emails?: string[]
  phone?: string | null
  billing_address?: Json | null
  vat_number?: string | null
  reg_no?: string | null
  external_reference?: string | null
  reference?: string | null
  recipient?: string | null
  notes?: string | null
}

export class PennylaneFake implements PennylaneStore {
  readonly http: FakeHttp
  apiToken: string
  readonly customers = new Map<number, Json>()
  readonly changelog: Json[] = []
  filterParam: 'filter' | 'filters' = 'filter'
  private lastId = 1000
  private stampSecond = 0
  private stampMicro = 0

  private constructor(options: { apiToken?: string; now?: number }) {
    this.http = new FakeHttp(options.now)
    this.apiToken = options.apiToken ?? 'pennylane-fake-token'
  }

  static async start(options: { apiToken?: string; now?: number } = {}): Promise<PennylaneFake> {
    const fake = new PennylaneFake(options)
    await fake.http.listen((request, failure) => answer(fake, request, failure))
    return fake
  }

  get url(): string {
    return this.http.url
  }

  /** The token, under the name the shared suites use. */
  get apiKey(): string {
    return this.apiToken
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

  /** From now on the old token is refused with Pennylane's 401, as when a token is revoked. */
  revokeKey(): void {
    this.apiToken = fakeId('pl_', 24)
  }

  stop(): Promise<void> {
    return this.http.close()
  }

  createCustomer(input: CustomerInput = {}): Json {
    const id = ++this.lastId
    const type = input.customer_type ?? 'company'
    const at = this.stamp()
    const name = input.name ?? [input.first_name, input.last_name].filter(Boolean).join(' ')
    const customer: Json = {
      id,
      customer_type: type,
      ...(type === 'individual'
        ? { first_name: input.first_name ?? null, last_name: input.last_name ?? null }
        : { vat_number: input.vat_number ?? null, reg_no: input.reg_no ?? null }),
      emails: [],
      phone: null,
      billing_address: null,
      delivery_address: null,
      external_reference: fakeId('', 8).toLowerCase(),
      reference: null,
      recipient: null,
      notes: null,
      payment_conditions: '30_days',
      billing_iban: null,
      billing_language: 'fr_FR',
      ledger_account: { id: 5000 + id },
      created_at: at,
      updated_at: at,
      contacts: { url: `${this.url}${apiPath}/customers/${id}/contacts` },
      ...structuredClone({ ...input, name }),
    }
    if (type === 'individual')
      customer.mandates = { url: `${this.url}${apiPath}/customers/${id}/mandates` }
    customer.delivery_address ??= customer.billing_address
    this.customers.set(id, customer)
    this.log(customer, 'insert', at)
    return structuredClone(customer)
  }

  updateCustomer(id: number | string, changes: Omit<CustomerInput, 'customer_type'>): Json {
    const customer = this.live(id)
    Object.assign(customer, structuredClone(changes))
    const at = this.stamp()
    customer.updated_at = at
    this.log(customer, 'update', at)
    return structuredClone(customer)
  }

  /** Pennylane deletes for good: gone from the lists, a `delete` in the changelog. */
  deleteCustomer(id: number | string): void {
    const customer = this.live(id)
    this.customers.delete(Number(id))
    this.log(customer, 'delete', this.stamp())
  }

  /** Stores a record as is (for bad data the API would never produce), with its changelog entry. */
  putRawCustomer(data: Json): void {
    const id = Number(data.id)
    const at = this.stamp()
    this.customers.set(id, { ...data })
    this.changelog.push({
      id,
      operation: 'insert',
      processed_at: at,
      updated_at: at,
      created_at: at,
    })
  }

  private live(id: number | string): Json {
    const customer = this.customers.get(Number(id))
    if (!customer) throw new Error(`No Pennylane customer ${String(id)}`)
    return customer
  }

  private log(customer: Json, operation: 'insert' | 'update' | 'delete', at: string): void {
    this.changelog.push({
      id: customer.id,
      operation,
      processed_at: at,
      updated_at: at,
      created_at: customer.created_at,
    })
  }

  /** The clock's second, to the microsecond, growing with each write of that second. */
  private stamp(): string {
    const second = this.now()
    if (second !== this.stampSecond) {
      this.stampSecond = second
      this.stampMicro = 0
    }
    this.stampMicro++
    const base = new Date(second * 1000).toISOString().slice(0, 19)
    return `${base}.${String(this.stampMicro).padStart(6, '0')}Z`
  }
}
