import { createHash, randomBytes } from 'node:crypto'
import { caseSafeId } from '../../../src/modules/sources/sync/accounts.ts'
import { FakeHttp, type Failure, type FakeReply, type RecordedRequest } from '../fake-http.ts'
import { matches, parseSoql, sortRows, SoqlError, type Soql } from './soql.ts'

/**
 * A local stand-in for Salesforce (test tooling), in its real wire shapes for what Roster uses:
 * the OAuth 2.0 web-server flow on the login host (`/services/oauth2/authorize` with a consent
 * page, `/services/oauth2/token` for the code with its PKCE verifier and for refresh tokens),
 * and on the instance `/services/data/v60.0/query` and `/queryAll` (SOQL with child queries,
 * `done`/`nextRecordsUrl` paging and `/query/{locator}`), `/sobjects/Account/describe`, and
 * `Sforce-Limit-Info` on each answer. An expired or revoked session is a 401
 * `INVALID_SESSION_ID`, a spent allocation a 403 `REQUEST_LIMIT_EXCEEDED`, an unknown field a
 * 400 `INVALID_FIELD`. The token answer names an instance of its own (`instance_url`), which
 * a client pointed at this fake's URL must replace. The clock stands still until `advance()`.
 *
 *   const sf = await SalesforceFake.start()
 *   const acme = sf.addAccount({ Name: 'Acme', AccountNumber: 'cus_1' })
 *   sf.addContact(acme, { LastName: 'Doe', Email: 'doe@acme.example' })
 */

type Row = Record<string, unknown>

export interface AccountInput {
  Name: string
  AccountNumber?: string | null
  owner?: string | null
  [custom: `${string}__c`]: string | null | undefined
}

export interface ContactInput {
  FirstName?: string | null
  LastName: string
  Email?: string | null
  Phone?: string | null
  MobilePhone?: string | null
  Title?: string | null
  HasOptedOutOfEmail?: boolean
}

const prefixes: Record<string, string> = {
  Account: '001',
  Contact: '003',
  AccountContactRole: '02Z',
  User: '005',
}

const fieldsOf: Record<string, string[]> = {
  Account: [
    'Id',
    'Name',
    'AccountNumber',
    'OwnerId',
    'IsDeleted',
    'CreatedDate',
    'SystemModstamp',
    'Phone',
    'Website',
    'Type',
  ],
  Contact: [
    'Id',
    'AccountId',
    'FirstName',
    'LastName',
    'Name',
    'Email',
    'Phone',
    'MobilePhone',
    'Title',
    'HasOptedOutOfEmail',
    'IsDeleted',
    'CreatedDate',
    'SystemModstamp',
  ],
  AccountContactRole: [
    'Id',
    'AccountId',
    'ContactId',
    'Role',
    'IsPrimary',
    'IsDeleted',
    'CreatedDate',
    'SystemModstamp',
  ],
  User: ['Id', 'Name', 'Email', 'IsActive'],
}

const childOf: Record<string, { object: string; key: string }> = {
  Contacts: { object: 'Contact', key: 'AccountId' },
  AccountContactRoles: { object: 'AccountContactRole', key: 'AccountId' },
}

const VERSION = 'v60.0'

export class SalesforceFake {
  readonly http: FakeHttp
  readonly clientId = '3MVG9fake_consumer_key'
  readonly clientSecret = 'fake_consumer_secret'
  /** The instance the token answer names (a real client pointed at the fake must not use it). */
  readonly namedInstance = 'https://roster-fake.my.salesforce.com'
  readonly records = new Map<string, Row & { Id: string; type: string }>()
  readonly customFields = new Set<string>()
  /** Records per page of a query; Salesforce's default is 2000. */
  batchSize = 2000
  apiLimit = 15000
  apiUsed = 0
  private refreshTokens = new Set<string>()
  private accessTokens = new Set<string>()
  private codes = new Map<string, { challenge: string; redirectUri: string }>()
  private locators = new Map<string, Row[]>()
  private seq = 0

  private constructor(now?: number) {
    this.http = new FakeHttp(now)
  }

  static async start(options: { now?: number } = {}): Promise<SalesforceFake> {
    const fake = new SalesforceFake(options.now)
    await fake.http.listen((request, failure) => fake.answer(request, failure))
    return fake
  }

  get url(): string {
    return this.http.url
  }

  get requests(): RecordedRequest[] {
    return this.http.requests
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

  /** A refresh token of the user, as a consent would give it. */
  issueRefreshToken(): string {
    const token = `5Aep861${randomBytes(18).toString('base64url')}`
    this.refreshTokens.add(token)
    return token
  }

  /** The user revoked Roster's access: refresh tokens and sessions are refused from now on. */
  revokeAccess(): void {
    this.refreshTokens.clear()
    this.accessTokens.clear()
  }

  /** Every session expires (the next call gets 401 INVALID_SESSION_ID). */
  expireSessions(): void {
    this.accessTokens.clear()
  }

  private stamp(): string {
    return new Date(this.http.now() * 1000).toISOString().replace('Z', '+0000')
  }

  private newId(type: string): string {
    this.seq++
    const body = `${prefixes[type] ?? '000'}Rf${String(this.seq).padStart(10, '0')}`
    return caseSafeId(body)
  }

  private insert(type: string, fields: Row): string {
    const Id = this.newId(type)
    const now = this.stamp()
    this.records.set(Id, {
      ...fields,
      Id,
      type,
      IsDeleted: false,
      CreatedDate: now,
      SystemModstamp: now,
    })
    return Id
  }

  addUser(email: string, options: { active?: boolean; name?: string } = {}): string {
    return this.insert('User', {
      Email: email,
      Name: options.name ?? email,
      IsActive: options.active ?? true,
    })
  }

  addAccount(input: AccountInput): string {
    const { owner, ...fields } = input
    for (const key of Object.keys(fields)) if (key.endsWith('__c')) this.customFields.add(key)
    const ownerId = owner ? (this.userByEmail(owner) ?? this.addUser(owner)) : null
    return this.insert('Account', { AccountNumber: null, ...fields, OwnerId: ownerId })
  }

  addContact(accountId: string, input: ContactInput): string {
    return this.insert('Contact', {
      FirstName: null,
      Email: null,
      Phone: null,
      MobilePhone: null,
      Title: null,
      HasOptedOutOfEmail: false,
      ...input,
      Name: [input.FirstName, input.LastName].filter(Boolean).join(' '),
      AccountId: accountId,
    })
  }

  addRole(accountId: string, contactId: string, role: string, isPrimary = false): string {
    return this.insert('AccountContactRole', {
      AccountId: accountId,
      ContactId: contactId,
      Role: role,
      IsPrimary: isPrimary,
    })
  }

  update(id: string, fields: Row): void {
    const record = this.records.get(id)
    if (!record) throw new Error(`no record ${id}`)
    Object.assign(record, fields, { SystemModstamp: this.stamp() })
  }

  /** Deleted to the recycle bin: gone from `query`, still in `queryAll` with IsDeleted. */
  delete(id: string): void {
    this.update(id, { IsDeleted: true })
    if (this.records.get(id)?.type === 'Account') {
      for (const r of this.records.values())
        if (r.AccountId === id && !r.IsDeleted) this.update(r.Id, { IsDeleted: true })
    }
  }

  private userByEmail(email: string): string | undefined {
    for (const r of this.records.values()) if (r.type === 'User' && r.Email === email) return r.Id
    return undefined
  }

  /** The consent page's decision: the callback URL Salesforce would redirect the browser to. */
  approve(authorizeUrl: string): string {
    const url = new URL(authorizeUrl)
    const redirectUri = url.searchParams.get('redirect_uri') ?? ''
    const code = `aPrx${randomBytes(12).toString('base64url')}`
    this.codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirectUri })
    const back = new URL(redirectUri)
    back.searchParams.set('code', code)
    back.searchParams.set('state', url.searchParams.get('state') ?? '')
    return back.toString()
  }

  private issueSession(refreshToken?: string): Row {
    const access = `00DRf0000001!${randomBytes(24).toString('base64url')}`
    this.accessTokens.add(access)
    return {
      access_token: access,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      signature: randomBytes(16).toString('base64'),
      scope: 'refresh_token api',
      instance_url: this.namedInstance,
      id: `https://login.salesforce.com/id/00DRf0000001AAA/005Rf0000001AAA`,
      token_type: 'Bearer',
      issued_at: String(this.http.now() * 1000),
    }
  }

  private token(request: RecordedRequest): FakeReply {
    const form = new URLSearchParams(request.body)
    const refuse = (error: string, description: string): FakeReply => ({
      status: 400,
      body: { error, error_description: description },
    })
    if (form.get('client_id') !== this.clientId)
      return refuse('invalid_client_id', 'client identifier invalid')
    if (form.get('client_secret') !== this.clientSecret)
      return refuse('invalid_client', 'invalid client credentials')
    if (form.get('grant_type') === 'refresh_token') {
      if (!this.refreshTokens.has(form.get('refresh_token') ?? '')) {
        return refuse('invalid_grant', 'expired access/refresh token')
      }
      return { status: 200, body: this.issueSession() }
    }
    if (form.get('grant_type') === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '')
      this.codes.delete(form.get('code') ?? '')
      if (!code) return refuse('invalid_grant', 'invalid authorization code')
      if (code.redirectUri !== form.get('redirect_uri'))
        return refuse('redirect_uri_mismatch', 'redirect_uri must match configuration')
      const verifier = form.get('code_verifier') ?? ''
      const challenge = createHash('sha256').update(verifier).digest('base64url')
      if (code.challenge && challenge !== code.challenge)
        return refuse('invalid_grant', 'invalid code verifier')
      return { status: 200, body: this.issueSession(this.issueRefreshToken()) }
    }
    return refuse('unsupported_grant_type', 'grant type not supported')
  }

  private consentPage(request: RecordedRequest): FakeReply {
    const allow = this.approve(`${this.url}${request.path}?${request.query.toString()}`)
    const deny = new URL(request.query.get('redirect_uri') ?? this.url)
    deny.searchParams.set('error', 'access_denied')
    deny.searchParams.set('error_description', 'end-user denied authorization')
    deny.searchParams.set('state', request.query.get('state') ?? '')
    const page = `<!doctype html><html><head><title>Allow Access?</title></head><body>
<h1>Allow Access?</h1><p>Roster is asking to access your Salesforce data.</p>
<a href="${allow.replace(/&/g, '&amp;')}">Allow</a> <a href="${deny.toString().replace(/&/g, '&amp;')}">Deny</a></body></html>`
    return { status: 200, body: page, raw: true, headers: { 'content-type': 'text/html' } }
  }

  private answer(request: RecordedRequest, failure: Failure | null): FakeReply | 'drop' {
    if (failure?.status === 'drop') return 'drop'
    if (request.path === '/services/oauth2/token' && request.method === 'POST')
      return this.token(request)
    if (request.path === '/services/oauth2/authorize') return this.consentPage(request)
    const error = (status: number, errorCode: string, message: string): FakeReply => ({
      status,
      body: [{ message, errorCode }],
      headers: this.limitHeader(),
    })
    if (failure) {
      if (failure.status === 401)
        return error(401, 'INVALID_SESSION_ID', 'Session expired or invalid')
      if (failure.status === 429 || failure.status === 403)
        return error(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')
      return {
        status: failure.status,
        body: [{ message: 'Service unavailable', errorCode: 'SERVER_UNAVAILABLE' }],
      }
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    if (!bearer || !this.accessTokens.has(bearer)) {
      return error(401, 'INVALID_SESSION_ID', 'Session expired or invalid')
    }
    this.apiUsed++
    if (this.apiUsed > this.apiLimit)
      return error(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')
    const base = `/services/data/${VERSION}`
    try {
      if (request.path === `${base}/sobjects/Account/describe`) {
        const fields = [...(fieldsOf.Account ?? []), ...this.customFields].map((name) => ({
          name,
          type: name === 'Id' ? 'id' : 'string',
        }))
        return { status: 200, body: { name: 'Account', fields }, headers: this.limitHeader() }
      }
      if (request.path === `${base}/query` || request.path === `${base}/queryAll`) {
        const q = request.query.get('q')
        if (!q) return error(400, 'MALFORMED_QUERY', 'q is required')
        const options = String(request.headers['sforce-query-options'] ?? '')
        const batch = Number(/batchSize=(\d+)/.exec(options)?.[1] ?? this.batchSize)
        return this.page(
          this.run(parseSoql(q), request.path.endsWith('queryAll')),
          Math.min(batch, this.batchSize),
        )
      }
      const more = new RegExp(`^${base}/query/(.+)$`).exec(request.path)
      if (more?.[1]) {
        const rows = this.locators.get(more[1])
        if (!rows) return error(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator')
        this.locators.delete(more[1])
        return this.page(rows, this.batchSize)
      }
    } catch (e) {
      if (e instanceof SoqlError) return error(400, e.code, e.message)
      throw e
    }
    return error(404, 'NOT_FOUND', 'The requested resource does not exist')
  }

  private limitHeader(): Record<string, string> {
    return {
      'sforce-limit-info': `api-usage=${Math.min(this.apiUsed, this.apiLimit)}/${this.apiLimit}`,
    }
  }

  private page(rows: Row[], batch: number): FakeReply {
    const first = rows.slice(0, batch)
    const rest = rows.slice(batch)
    const body: Row = { totalSize: rows.length, done: rest.length === 0, records: first }
    if (rest.length > 0) {
      const locator = `01gRf${randomBytes(6).toString('hex')}-${batch}`
      this.locators.set(locator, rest)
      body.nextRecordsUrl = `/services/data/${VERSION}/query/${locator}`
    }
    return { status: 200, body, headers: this.limitHeader() }
  }

  private check(object: string, field: string): void {
    const known = [...(fieldsOf[object] ?? []), ...(object === 'Account' ? this.customFields : [])]
    const [head, tail] = field.split('.')
    if (
      tail !== undefined &&
      head === 'Owner' &&
      object === 'Account' &&
      fieldsOf.User?.includes(tail)
    )
      return
    if (!head || !known.includes(head) || tail !== undefined) {
      throw new SoqlError(
        'INVALID_FIELD',
        `No such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      )
    }
  }

  private run(query: Soql, all: boolean, parent?: Row): Row[] {
    if (!fieldsOf[query.object]) {
      throw new SoqlError('INVALID_TYPE', `sObject type '${query.object}' is not supported.`)
    }
    for (const field of query.fields) this.check(query.object, field)
    for (const c of query.where) this.check(query.object, c.field)
    let rows = [...this.records.values()].filter(
      (r) => r.type === query.object && (all || !r.IsDeleted) && matches(r, query.where),
    )
    if (parent) rows = rows.filter((r) => r.AccountId === parent.Id)
    rows = sortRows(rows, query.orderBy) as typeof rows
    if (query.limit !== null) rows = rows.slice(0, query.limit)
    return rows.map((r) => this.project(r, query))
  }

  private project(record: Row & { Id: string; type: string }, query: Soql): Row {
    const row: Row = {
      attributes: {
        type: record.type,
        url: `/services/data/${VERSION}/sobjects/${record.type}/${record.Id}`,
      },
    }
    for (const field of query.fields) {
      const [head = '', tail] = field.split('.')
      if (tail === undefined) {
        row[head] = record[head] ?? null
        continue
      }
      const owner =
        typeof record.OwnerId === 'string' ? this.records.get(record.OwnerId) : undefined
      if (!owner) {
        row.Owner = null
        continue
      }
      const nested = (row.Owner ?? {
        attributes: { type: 'User', url: `/services/data/${VERSION}/sobjects/User/${owner.Id}` },
      }) as Row
      nested[tail] = owner[tail] ?? null
      row.Owner = nested
    }
    for (const child of query.children) {
      const relation = childOf[child.object]
      if (!relation)
        throw new SoqlError(
          'INVALID_TYPE',
          `Didn't understand relationship '${child.object}' in FROM part of query call.`,
        )
      const rows = this.run({ ...child, object: relation.object }, false, record)
      row[child.object] =
        rows.length === 0 ? null : { totalSize: rows.length, done: true, records: rows }
    }
    return row
  }
}
