import { randomBytes } from 'node:crypto'
import { FakeHttp, type Failure, type RecordedRequest } from '../fake-http.ts'
import { answer, type Json, type ZuoraStore } from './fake-api.ts'

/**
 * A local stand-in for a Zuora tenant's REST API (test tooling), in Zuora's real shapes for what
 * Roster uses: `POST /oauth/token` (client credentials, form body; tokens that expire on the
 * fake's clock and are then refused with 401), `GET /object-query/accounts` and
 * `GET /object-query/contacts` (`pageSize` ≤ 99, `cursor`/`nextPage`, `filter[]` with
 * EQ/NE/LT/GT/SW/IN, one `sort[]`, `expand[]` of billTo/soldTo/shipTo), RateLimit-* headers, and
 * callouts with the notification's Basic credentials. The clock stands still until `advance()`;
 * every write stamps `updatedDate` with it, in the tenant's time zone.
 *
 *   const zuora = await ZuoraFake.start()
 *   zuora.createAccount({ name: 'Acme', billTo: { workEmail: 'ap@acme.example' }, soldTo: 'billTo' })
 *   zuoraConnector.list({ settings: { baseUrl: zuora.url }, secrets: zuora.secrets(), … })
 *   zuora.expireTokens(); zuora.failNext(1, { status: 429, retryAfter: 2 }); await zuora.sendCallout(url, id)
 */

export interface ContactInput {
  id?: string
  firstName?: string | null
  lastName?: string | null
  workEmail?: string | null
  personalEmail?: string | null
  workPhone?: string | null
  mobilePhone?: string | null
  address1?: string | null
  address2?: string | null
  city?: string | null
  state?: string | null
  postalCode?: string | null
  country?: string | null
  description?: string | null
}

export interface AccountInput {
  id?: string
  name?: string
  accountNumber?: string
  status?: 'Draft' | 'Active' | 'Canceled'
  currency?: string
  vATId?: string | null
  crmId?: string | null
  /** The Bill To contact (made with the account). */
  billTo?: ContactInput
  /** The Sold To contact, or `'billTo'` for the same contact (Zuora's usual case). */
  soldTo?: ContactInput | 'billTo'
  /** More contacts of the account. */
  contacts?: ContactInput[]
}

export interface ZuoraFakeOptions {
  clientId?: string
  clientSecret?: string
  calloutUsername?: string
  calloutPassword?: string
  now?: number
  /** Seconds an access token lives (Zuora's are about an hour). */
  tokenLifetime?: number
}

/** The tenant's time zone (Pacific, daylight time), as Zuora writes its timestamps. */
const tenantOffsetHours = -7
const tenantOffset = '-07:00'

export const zuoraId = (): string => randomBytes(16).toString('hex')

export class ZuoraFake implements ZuoraStore {
  readonly http: FakeHttp
  readonly clientId: string
  clientSecret: string
  readonly calloutUsername: string
  readonly calloutPassword: string
  readonly tokenLifetime: number
  readonly accounts = new Map<string, Json>()
  readonly contacts = new Map<string, Json>()
  /** Issued tokens and when they end (fake clock). */
  readonly tokens = new Map<string, number>()
  private numbers = 0

  private constructor(options: ZuoraFakeOptions) {
    this.http = new FakeHttp(options.now)
    this.clientId = options.clientId ?? 'roster-fake-client'
    this.clientSecret = options.clientSecret ?? 'fake-client-secret-0123456789'
    this.calloutUsername = options.calloutUsername ?? 'roster'
    this.calloutPassword = options.calloutPassword ?? 'callout-password'
    this.tokenLifetime = options.tokenLifetime ?? 3599
  }

  static async start(options: ZuoraFakeOptions = {}): Promise<ZuoraFake> {
    const fake = new ZuoraFake(options)
    await fake.http.listen((request, failure) => answer(fake, request, failure))
    return fake
  }

  get url(): string {
    return this.http.url
  }

  /** The secret part of the credentials (what the shared suites call the key). */
  get apiKey(): string {
    return this.clientSecret
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

  stop(): Promise<void> {
    return this.http.close()
  }

  grant(): { token: string; expiresIn: number } {
    const token = randomBytes(24).toString('hex')
    this.tokens.set(token, this.now() + this.tokenLifetime)
    return { token, expiresIn: this.tokenLifetime }
  }

  valid(token: string): boolean {
    const ends = this.tokens.get(token)
    return ends !== undefined && this.now() < ends
  }

  /**
   * Credentials as a connection stores them after its check: the client, a token the fake just
   * issued (ending on our clock as Roster computes it), and the callout's credentials.
   */
  secrets(): {
    clientId: string
    clientSecret: string
    accessToken: string
    accessTokenExpiresAt: string
    calloutUsername: string
    calloutPassword: string
  } {
    const { token, expiresIn } = this.grant()
    return {
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      accessToken: token,
      accessTokenExpiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
      calloutUsername: this.calloutUsername,
      calloutPassword: this.calloutPassword,
    }
  }

  /** Every token issued so far ends now, as an hour passing would (new ones are fine). */
  expireTokens(): void {
    this.tokens.clear()
  }

  /** The client secret is regenerated in Zuora: the old one and its tokens are refused. */
  revokeKey(): void {
    this.clientSecret = randomBytes(16).toString('hex')
    this.tokens.clear()
  }

  /** The fake's clock as Zuora writes a time: ISO with the tenant's offset, to the second. */
  timestamp(seconds = this.now()): string {
    const local = new Date((seconds + tenantOffsetHours * 3600) * 1000).toISOString()
    return `${local.slice(0, 19)}${tenantOffset}`
  }

  createAccount(input: AccountInput = {}): Json {
    const id = input.id ?? zuoraId()
    if (this.accounts.has(id)) throw new Error(`Zuora account ${id} exists`)
    const number = `A${String(++this.numbers).padStart(8, '0')}`
    const account: Json = {
      id,
      accountNumber: input.accountNumber ?? number,
      name: input.name ?? `Account ${number}`,
      status: input.status ?? (input.billTo ? 'Active' : 'Draft'),
      currency: input.currency ?? 'USD',
      balance: 0,
      paymentTerm: 'Net 30',
      billCycleDay: 1,
      autoPay: false,
      batch: 'Batch1',
      invoiceDeliveryPrefsEmail: true,
      invoiceDeliveryPrefsPrint: false,
      vATId: input.vATId ?? null,
      crmId: input.crmId ?? null,
      billToId: null,
      soldToId: null,
      createdDate: this.timestamp(),
      updatedDate: this.timestamp(),
    }
    this.accounts.set(id, account)
    if (input.billTo) account.billToId = this.newContact(id, input.billTo).id
    if (input.soldTo === 'billTo') account.soldToId = account.billToId
    else if (input.soldTo) account.soldToId = this.newContact(id, input.soldTo).id
    for (const contact of input.contacts ?? []) this.newContact(id, contact)
    return structuredClone(account)
  }

  updateAccount(id: string, changes: Omit<AccountInput, 'id' | 'billTo' | 'soldTo' | 'contacts'>) {
    const account = this.account(id)
    Object.assign(account, structuredClone(changes), { updatedDate: this.timestamp() })
  }

  /** Canceled, as Zuora does: still listed, with `status: "Canceled"`. */
  cancelAccount(id: string): void {
    this.updateAccount(id, { status: 'Canceled' })
  }

  /** `DELETE /v1/accounts/{id}`: gone without a trace, its contacts with it. */
  deleteAccount(id: string): void {
    this.accounts.delete(id)
    for (const [contactId, contact] of this.contacts) {
      if (contact.accountId === id) this.contacts.delete(contactId)
    }
  }

  /** A new contact of the account; the account itself is not touched (as in Zuora). */
  addContact(accountId: string, input: ContactInput): Json {
    this.account(accountId)
    return structuredClone(this.newContact(accountId, input))
  }

  updateContact(id: string, changes: ContactInput): void {
    const contact = this.contacts.get(id)
    if (!contact) throw new Error(`No Zuora contact ${id}`)
    Object.assign(contact, structuredClone(changes), { updatedDate: this.timestamp() })
  }

  /** The account's Bill To becomes another of its contacts (the account is updated). */
  setBillTo(accountId: string, contactId: string): void {
    const account = this.account(accountId)
    account.billToId = contactId
    account.updatedDate = this.timestamp()
  }

  /** Stores an account as is (for bad data the API would never produce). */
  putRawAccount(data: Json, contacts: Json[] = []): void {
    this.accounts.set(String(data.id), { updatedDate: this.timestamp(), ...data })
    for (const contact of contacts) this.contacts.set(String(contact.id), contact)
  }

  /**
   * Posts a callout as a notification whose template sends the account's id, its number and the
   * event: with the notification's Basic credentials (preemptive), unless others or `null` are
   * given, and Zuora's request id.
   */
  async sendCallout(
    url: string,
    accountId: string,
    options: { username?: string; password?: string; credentials?: null; event?: string } = {},
  ): Promise<{ status: number; body: string }> {
    const account = this.accounts.get(accountId)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'zuora-request-id': randomBytes(16).toString('hex'),
    }
    if (options.credentials !== null) {
      const user = options.username ?? this.calloutUsername
      const password = options.password ?? this.calloutPassword
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    }
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        event: options.event ?? 'AccountUpdated',
        accountId,
        accountNumber: account?.accountNumber ?? null,
        updatedDate: this.timestamp(),
      }),
    })
    return { status: response.status, body: await response.text() }
  }

  private account(id: string): Json {
    const account = this.accounts.get(id)
    if (!account) throw new Error(`No Zuora account ${id}`)
    return account
  }

  private newContact(accountId: string, input: ContactInput): Json {
    const contact: Json = {
      id: input.id ?? zuoraId(),
      accountId,
      firstName: null,
      lastName: null,
      nickName: null,
      workEmail: null,
      personalEmail: null,
      workPhone: null,
      mobilePhone: null,
      homePhone: null,
      otherPhone: null,
      otherPhoneType: null,
      fax: null,
      address1: null,
      address2: null,
      city: null,
      state: null,
      county: null,
      postalCode: null,
      country: null,
      taxRegion: null,
      description: null,
      createdDate: this.timestamp(),
      ...structuredClone(input),
      updatedDate: this.timestamp(),
    }
    this.contacts.set(String(contact.id), contact)
    return contact
  }
}
