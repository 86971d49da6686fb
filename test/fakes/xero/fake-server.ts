import { createHmac, randomUUID } from 'node:crypto'
import { FakeHttp, fakeId, type Failure, type RecordedRequest } from '../fake-http.ts'
import {
  answer,
  fakeUuid,
  issueTokens,
  type Grant,
  type Json,
  type PendingCode,
  type Tenant,
  type XeroStore,
  wallSeconds,
} from './fake-api.ts'

/**
 * A local stand-in for Xero (test tooling) on one host, at Xero's real paths: the consent page
 * (`GET /identity/connect/authorize`, Allow or Cancel, back to the redirect URI with a code or
 * `error=access_denied`), the token endpoint (`POST /connect/token`: Basic client auth, codes
 * checked against their PKCE challenge, refresh tokens that rotate on every use — a used one is
 * refused with `invalid_grant`), `GET /connections` (the tenants a token reaches) and
 * `GET /api.xro/2.0/Contacts` (`xero-tenant-id` required, JSON only when asked, `page` and
 * `pageSize`, `where=IsCustomer==true`, `order`, `includeArchived`, `If-Modified-Since`;
 * 401/403 problem bodies, 429 with Retry-After and X-Rate-Limit-Problem). Webhooks are signed
 * as Xero does (`x-xero-signature`). The clock stands still until `advance()`; every write stamps
 * UpdatedDateUTC with it, in milliseconds that only grow.
 *
 *   const xero = await XeroFake.start({ tenants: ['Demo Company (UK)', 'Acme Holdings'] })
 *   xero.createContact({ Name: 'Acme', EmailAddress: 'ap@acme.example' })
 *   xero.connected  // the secrets of a consent already given: client, tokens
 */

export interface ContactInput {
  ContactID?: string
  Name?: string | null
  FirstName?: string | null
  LastName?: string | null
  EmailAddress?: string | null
  AccountNumber?: string | null
  ContactNumber?: string | null
  TaxNumber?: string | null
  DefaultCurrency?: string | null
  IsCustomer?: boolean
  IsSupplier?: boolean
  ContactPersons?: Json[]
  Addresses?: Json[]
  Phones?: Json[]
}

export interface XeroFakeOptions {
  /** The organisations the app may reach (one, "Demo Company (UK)", unless given). */
  tenants?: string[]
  now?: number
}

/** The secrets Roster holds for a consent already given. */
export interface ConnectedSecrets {
  clientId: string
  clientSecret: string
  refreshToken: string
  accessToken: string
  expiresAt: number
  webhookKey: string
}

export class XeroFake implements XeroStore {
  readonly http: FakeHttp
  readonly clientId = fakeId('', 32).toUpperCase()
  readonly clientSecret = fakeId('', 48)
  readonly webhookKey = fakeId('', 64)
  readonly tenants: Tenant[]
  readonly contacts = new Map<string, Map<string, Json>>()
  readonly grants = new Map<string, Grant>()
  readonly accessTokens = new Map<string, { grant: string; expiresAt: number }>()
  readonly codes = new Map<string, PendingCode>()
  readonly usedRefreshTokens = new Set<string>()
  /** A consent given when the fake started (to every tenant), as Roster would hold it. */
  connected: ConnectedSecrets
  private stamp = 0

  private constructor(options: XeroFakeOptions) {
    this.http = new FakeHttp(options.now)
    this.tenants = (options.tenants ?? ['Demo Company (UK)']).map((name) => ({
      tenantId: fakeUuid(`${name}/${randomUUID()}`),
      tenantName: name,
    }))
    for (const tenant of this.tenants) this.contacts.set(tenant.tenantId, new Map())
    this.connected = this.grant()
  }

  static async start(options: XeroFakeOptions = {}): Promise<XeroFake> {
    const fake = new XeroFake(options)
    await fake.http.listen((request, failure) => answer(fake, request, failure))
    return fake
  }

  get url(): string {
    return this.http.url
  }

  /** The first organisation: where contacts go unless told. */
  get tenantId(): string {
    return this.tenants[0]?.tenantId ?? ''
  }

  /** The app's client id (the suites' "key"). */
  get apiKey(): string {
    return this.clientId
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

  issue(grant: Grant): Json {
    return issueTokens(this, grant)
  }

  /** A new consent to every tenant (as an admin allowing access again): its secrets. */
  grant(): ConnectedSecrets {
    const grant: Grant = {
      id: randomUUID(),
      clientId: this.clientId,
      tenants: this.tenants.map((t) => t.tenantId),
      refreshToken: '',
      revoked: false,
    }
    this.grants.set(grant.id, grant)
    const tokens = this.issue(grant)
    return {
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      refreshToken: String(tokens.refresh_token),
      accessToken: String(tokens.access_token),
      expiresAt: Math.floor(Date.now() / 1000) + 1800,
      webhookKey: this.webhookKey,
    }
  }

  /** Every access token expires (and Roster's copy says so): the next run must refresh. */
  expireTokens(): void {
    for (const token of this.accessTokens.values()) token.expiresAt = wallSeconds()
    this.connected.expiresAt = 0
  }

  /** The organisation disconnected the app: every token of every consent is refused. */
  revokeKey(): void {
    for (const grant of this.grants.values()) grant.revoked = true
  }

  /** The current refresh token of the consent that issued this access token. */
  refreshTokenOf(accessToken: string): string | undefined {
    const grant = this.accessTokens.get(accessToken)?.grant
    return grant ? this.grants.get(grant)?.refreshToken : undefined
  }

  createContact(input: ContactInput = {}, tenantId = this.tenantId): Json {
    const id = input.ContactID ?? randomUUID()
    const store = this.tenantContacts(tenantId)
    if (store.has(id)) throw new Error(`Xero contact ${id} exists`)
    const contact: Json = {
      ContactID: id,
      ContactStatus: 'ACTIVE',
      Name: input.Name ?? `Contact ${id.slice(0, 8)}`,
      ContactPersons: [],
      Addresses: [
        { AddressType: 'POBOX', City: '', Region: '', PostalCode: '', Country: '' },
        { AddressType: 'STREET', City: '', Region: '', PostalCode: '', Country: '' },
      ],
      Phones: [
        { PhoneType: 'DEFAULT', PhoneNumber: '', PhoneAreaCode: '', PhoneCountryCode: '' },
        { PhoneType: 'MOBILE', PhoneNumber: '', PhoneAreaCode: '', PhoneCountryCode: '' },
      ],
      ContactGroups: [],
      IsSupplier: false,
      IsCustomer: true,
      HasValidationErrors: false,
      ...structuredClone(input),
    }
    store.set(id, contact)
    this.touch(contact)
    return structuredClone(contact)
  }

  updateContact(id: string, changes: Omit<ContactInput, 'ContactID'>, tenantId = this.tenantId) {
    const contact = this.live(id, tenantId)
    Object.assign(contact, structuredClone(changes))
    this.touch(contact)
  }

  /** Archived at Xero: hidden unless includeArchived=true. */
  archiveContact(id: string, tenantId = this.tenantId): void {
    const contact = this.live(id, tenantId)
    contact.ContactStatus = 'ARCHIVED'
    this.touch(contact)
  }

  /** Erased on a GDPR request: personal data blanked, the contact archived. */
  eraseContact(id: string, tenantId = this.tenantId): void {
    const contact = this.live(id, tenantId)
    for (const field of ['FirstName', 'LastName', 'EmailAddress', 'TaxNumber']) {
      Reflect.deleteProperty(contact, field)
    }
    contact.ContactPersons = []
    contact.ContactStatus = 'GDPRREQUEST'
    this.touch(contact)
  }

  /** Gone without a trace (no change to list). */
  forget(id: string, tenantId = this.tenantId): void {
    this.tenantContacts(tenantId).delete(id)
  }

  /** Stores a record as is (for bad data the API would never produce). */
  putRawContact(data: Json, tenantId = this.tenantId): void {
    const contact = { ...data }
    this.tenantContacts(tenantId).set(String(data.ContactID), contact)
    this.touch(contact)
  }

  /** A webhook batch about these contacts (an empty one is the "intent to receive" probe). */
  webhookBody(ids: string[], tenantId = this.tenantId): string {
    return JSON.stringify({
      events: ids.map((id) => ({
        resourceUrl: `https://api.xero.com/api.xro/2.0/Contacts/${id}`,
        resourceId: id,
        eventDateUtc: new Date(this.now() * 1000).toISOString(),
        eventType: 'UPDATE',
        eventCategory: 'CONTACT',
        tenantId,
        tenantType: 'ORGANISATION',
      })),
      firstEventSequence: ids.length ? 1 : 0,
      lastEventSequence: ids.length,
      entropy: fakeId('', 20).toUpperCase(),
    })
  }

  /** Posts a batch signed as Xero does: base64 HMAC-SHA256 of the body with the webhook key. */
  async sendWebhook(
    url: string,
    options: { ids?: string[]; key?: string; signature?: string | null; tenantId?: string } = {},
  ): Promise<{ status: number; body: string }> {
    const body = this.webhookBody(options.ids ?? [this.lastChanged], options.tenantId)
    const signature =
      options.signature === undefined
        ? createHmac('sha256', options.key ?? this.webhookKey)
            .update(body)
            .digest('base64')
        : options.signature
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (signature !== null) headers['x-xero-signature'] = signature
    const response = await fetch(url, { method: 'POST', headers, body })
    return { status: response.status, body: await response.text() }
  }

  /** Xero's "intent to receive" probe: an empty batch, signed with the key or not. */
  sendIntentToReceive(url: string, signed: boolean): Promise<{ status: number; body: string }> {
    return this.sendWebhook(url, { ids: [], ...(signed ? {} : { key: 'not-the-key' }) })
  }

  /**
   * The admin on the consent page: opens it, then allows or cancels. Answers where Xero sends the
   * browser back (the redirect URI with code and state, or error=access_denied).
   */
  async consent(authorizeUrl: string, choice: 'allow' | 'deny'): Promise<URL> {
    const page = await fetch(authorizeUrl)
    if (page.status !== 200) throw new Error(`consent page: ${page.status} ${await page.text()}`)
    const asked = new URL(authorizeUrl).searchParams
    const form = new URLSearchParams({ decision: choice })
    for (const name of ['client_id', 'redirect_uri', 'state', 'code_challenge']) {
      form.set(name, asked.get(name) ?? '')
    }
    form.set('code_challenge_method', asked.get('code_challenge_method') ?? '')
    const decided = await fetch(`${this.url}/identity/connect/authorize/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    })
    return new URL(decided.headers.get('location') ?? '')
  }

  private lastChanged = ''

  private tenantContacts(tenantId: string): Map<string, Json> {
    const store = this.contacts.get(tenantId)
    if (!store) throw new Error(`No tenant ${tenantId}`)
    return store
  }

  private live(id: string, tenantId: string): Json {
    const contact = this.tenantContacts(tenantId).get(id)
    if (!contact) throw new Error(`No Xero contact ${id}`)
    return contact
  }

  /** A write: UpdatedDateUTC from the clock, in milliseconds that only grow. */
  private touch(contact: Json): void {
    this.stamp = Math.max(this.stamp + 1, this.now() * 1000)
    contact.UpdatedDateUTC = `/Date(${this.stamp}+0000)/`
    this.lastChanged = String(contact.ContactID)
  }
}
