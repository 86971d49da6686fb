import { createHmac, randomUUID } from 'node:crypto'
import { FakeHttp, fakeId, type Failure, type RecordedRequest } from '../fake-http.ts'
import { answer, pacific, type Json, type QuickBooksStore } from './fake-api.ts'

/**
 * A local stand-in for QuickBooks Online (test tooling), in Intuit's real shapes for what Roster
 * uses: `GET /v3/company/{realmId}/query` (the query language's SELECT on Customer with WHERE
 * Active / MetaData.LastUpdatedTime / Id, ORDERBY, STARTPOSITION, MAXRESULTS; inactive customers
 * only when asked), Fault bodies, 500 calls a minute per company (then 429 ThrottleExceeded),
 * `POST /oauth2/v1/tokens/bearer` (authorization code and rotating refresh tokens, HTTP Basic
 * client credentials) and the consent page `/connect/oauth2` with Connect and Cancel. Webhooks
 * are signed with the verifier token (`intuit-signature`), in the legacy or CloudEvents shape.
 * The clock stands still until `advance()`; every write stamps LastUpdatedTime with it and a new
 * SyncToken. Access tokens expire by the real clock (`accessTokenSeconds`), as Roster reads
 * `expires_in` by it.
 *
 *   const qb = await QuickBooksFake.start()
 *   const { refreshToken } = qb.grant()
 *   qb.createCustomer({ DisplayName: 'Acme', PrimaryEmailAddr: { Address: 'a@acme.example, b@acme.example' } })
 */

export interface QuickBooksFakeOptions {
  now?: number
  realmId?: string
  /** How long an access token lives, in real seconds (Intuit: 3600). */
  accessTokenSeconds?: number
}

export type CustomerInput = Json

interface Grant {
  realmId: string
  refreshToken: string
}

export class QuickBooksFake implements QuickBooksStore {
  readonly http: FakeHttp
  readonly realmId: string
  readonly clientId = 'ABfakeQuickBooksClientId0123456789'
  clientSecret = 'fakeQuickBooksClientSecret'
  readonly webhookVerifierToken = 'fake-verifier-token-3f1c'
  accessTokenSeconds: number
  perMinute = 500
  readonly customers = new Map<string, Json>()
  private readonly accessTokens = new Map<string, { realmId: string; expiresAt: number }>()
  private readonly refreshTokens = new Map<string, Grant>()
  private readonly codes = new Map<string, { redirectUri: string }>()
  private readonly calls = new Map<string, number>()
  private readonly changes: { id: string; operation: string; at: number }[] = []
  private nextId = 1
  private written = 0
  /** The refresh token of the last grant or refresh: what a connected app holds. */
  latestRefreshToken = ''

  private constructor(options: QuickBooksFakeOptions) {
    this.http = new FakeHttp(options.now)
    this.realmId = options.realmId ?? '9341453012345678'
    this.accessTokenSeconds = options.accessTokenSeconds ?? 3600
  }

  static async start(options: QuickBooksFakeOptions = {}): Promise<QuickBooksFake> {
    const fake = new QuickBooksFake(options)
    await fake.http.listen((request, failure) => answer(fake, request, failure))
    return fake
  }

  get url(): string {
    return this.http.url
  }

  get requests(): RecordedRequest[] {
    return this.http.requests
  }

  /** The credential the shared suites call a key: the current refresh token. */
  get apiKey(): string {
    return this.latestRefreshToken
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

  /** The company disconnected the app: every token it holds is refused from now on. */
  revokeKey(): void {
    this.accessTokens.clear()
    this.refreshTokens.clear()
  }

  /** Access tokens die (as after an hour): only a refresh brings a working one. */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.values()) token.expiresAt = 0
  }

  /** Tokens for the company, as a consent gives them. */
  grant(): { refreshToken: string; accessToken: string; expiresIn: number } {
    const answer = this.issue(this.realmId)
    return {
      refreshToken: String(answer.refresh_token),
      accessToken: String(answer.access_token),
      expiresIn: Number(answer.expires_in),
    }
  }

  // QuickBooksStore: what the API answers read and write.

  accessTokenRealm(token: string): { realmId: string } | 'expired' | 'unknown' {
    const found = this.accessTokens.get(token)
    if (!found) return 'unknown'
    return found.expiresAt <= Date.now() ? 'expired' : { realmId: found.realmId }
  }

  /** Intuit rotates: the refresh token used is spent, a new one comes back. */
  exchangeRefreshToken(token: string): Json | null {
    const grant = this.refreshTokens.get(token)
    if (!grant) return null
    this.refreshTokens.delete(token)
    return this.issue(grant.realmId)
  }

  exchangeCode(code: string, redirectUri: string): Json | null {
    const issued = this.codes.get(code)
    // A code is good once, for the redirect URI it was issued to.
    this.codes.delete(code)
    if (!issued || issued.redirectUri !== redirectUri) return null
    return this.issue(this.realmId)
  }

  newCode(redirectUri: string): string {
    const code = fakeId('AB11', 40)
    this.codes.set(code, { redirectUri })
    return code
  }

  countCall(realm: string): boolean {
    const key = `${realm}/${Math.floor(this.now() / 60)}`
    const count = (this.calls.get(key) ?? 0) + 1
    this.calls.set(key, count)
    return count <= this.perMinute
  }

  private issue(realmId: string): Json {
    const accessToken = `eyJ${fakeId('', 60)}`
    const refreshToken = `RT1-${fakeId('', 40)}`
    this.accessTokens.set(accessToken, {
      realmId,
      expiresAt: Date.now() + this.accessTokenSeconds * 1000,
    })
    this.refreshTokens.set(refreshToken, { realmId, refreshToken })
    this.latestRefreshToken = refreshToken
    return {
      token_type: 'bearer',
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: this.accessTokenSeconds,
      x_refresh_token_expires_in: 8_726_400,
    }
  }

  // Writing customers, as QuickBooks stamps them.

  createCustomer(input: CustomerInput = {}): Json {
    const id = String(input.Id ?? this.nextId)
    this.nextId = Math.max(this.nextId, Number(id) || 0) + 1
    if (this.customers.has(id)) throw new Error(`QuickBooks customer ${id} exists`)
    const created = pacific(this.now())
    const data: Json = {
      Taxable: false,
      Job: false,
      BillWithParent: false,
      Balance: 0,
      BalanceWithJobs: 0,
      PreferredDeliveryMethod: 'Print',
      IsProject: false,
      ClientEntityId: '0',
      Active: true,
      V4IDPseudonym: fakeId('002', 40),
      domain: 'QBO',
      sparse: false,
      ...structuredClone(input),
      Id: id,
      SyncToken: '-1',
      DisplayName: input.DisplayName ?? input.CompanyName ?? `Customer ${id}`,
      MetaData: { CreateTime: created, LastUpdatedTime: created },
    }
    if (data.ParentRef) {
      data.Job = true
      data.Level = 1
      const parent = this.customers.get(String(data.ParentRef.value))
      data.FullyQualifiedName = `${parent?.DisplayName ?? ''}:${String(data.DisplayName)}`
    } else data.FullyQualifiedName = data.DisplayName
    this.customers.set(id, data)
    this.touch(data, 'Create')
    return structuredClone(data)
  }

  updateCustomer(id: string, changes: CustomerInput): Json {
    const data = this.live(id)
    Object.assign(data, structuredClone(changes))
    if (changes.DisplayName !== undefined) data.FullyQualifiedName = changes.DisplayName
    this.touch(data, 'Update')
    return structuredClone(data)
  }

  /** QuickBooks does not delete customers: it makes them inactive and marks the name. */
  deleteCustomer(id: string): void {
    const data = this.live(id)
    data.Active = false
    data.DisplayName = `${String(data.DisplayName)} (deleted)`
    this.touch(data, 'Delete')
  }

  /** Stores a record as is (for bad data the API would never produce). */
  putRawCustomer(data: Json): void {
    const stored = { ...data, MetaData: { LastUpdatedTime: pacific(this.now()) } }
    this.nextId = Math.max(this.nextId, Number(data.Id) + 1 || 0)
    this.customers.set(String(data.Id), stored)
    this.touch(stored, 'Create')
  }

  private live(id: string): Json {
    const data = this.customers.get(id)
    if (!data || data.Active === false) throw new Error(`No active QuickBooks customer ${id}`)
    return data
  }

  private touch(data: Json, operation: string): void {
    data.SyncToken = String(Number(data.SyncToken ?? -1) + 1)
    data.MetaData = { ...data.MetaData, LastUpdatedTime: pacific(this.now()) }
    Object.defineProperty(data, '_written', {
      value: ++this.written,
      enumerable: false,
      writable: true,
      configurable: true,
    })
    this.changes.push({ id: String(data.Id), operation, at: this.now() })
  }

  /**
   * Posts the newest changes to a webhook URL as Intuit does: signed with the verifier token
   * (or `token`; `signature: null` sends none), in the legacy or CloudEvents shape.
   */
  async sendWebhook(
    url: string,
    options: {
      format?: 'legacy' | 'cloudevents'
      token?: string
      signature?: string | null
      last?: number
    } = {},
  ): Promise<{ status: number; body: string }> {
    const changed = this.changes.slice(-(options.last ?? 1))
    const body =
      options.format === 'cloudevents'
        ? JSON.stringify(
            changed.map((c) => ({
              specversion: '1.0',
              id: randomUUID(),
              source: 'intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=',
              type: `qbo.customer.${c.operation === 'Create' ? 'created' : c.operation === 'Delete' ? 'deleted' : 'updated'}.v1`,
              datacontenttype: 'application/json',
              time: new Date(c.at * 1000).toISOString(),
              intuitentityid: c.id,
              intuitaccountid: this.realmId,
              data: {},
            })),
          )
        : JSON.stringify({
            eventNotifications: [
              {
                realmId: this.realmId,
                dataChangeEvent: {
                  entities: changed.map((c) => ({
                    name: 'Customer',
                    id: c.id,
                    operation: c.operation,
                    lastUpdated: new Date(c.at * 1000).toISOString(),
                  })),
                },
              },
            ],
          })
    const signature =
      options.signature === undefined
        ? createHmac('sha256', options.token ?? this.webhookVerifierToken)
            .update(body)
            .digest('base64')
        : options.signature
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature !== null && { 'intuit-signature': signature }),
      },
      body,
    })
    return { status: response.status, body: await response.text() }
  }
}
