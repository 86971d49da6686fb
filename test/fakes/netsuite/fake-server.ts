import {
  FakeHttp,
  fakeId,
  type Failure,
  type FakeReply,
  type RecordedRequest,
} from '../fake-http.ts'
import { refusal } from './oauth.ts'
import {
  QueryError,
  runQuery,
  type Condition,
  type Join,
  type Row,
  type Tables,
} from './suiteql.ts'

/**
 * A local stand-in for one NetSuite account's REST web services (test tooling), in NetSuite's
 * real shapes for what Roster uses: `POST /services/rest/query/v1/suiteql` (limit ≤ 1000,
 * offset, `Prefer: transient`, at most 100,000 rows a query; the customer, contact,
 * companycontactrelationship and deletedrecord tables) and
 * `GET /services/rest/record/v1/customer[/{id}]`. Every call must carry token-based
 * authentication that the fake verifies by recomputing the OAuth 1.0a HMAC-SHA256 signature;
 * errors carry NetSuite's `o:errorDetails` body. The account's clock stands still until
 * `advance()` and runs in its own time zone (UTC−7 unless told); every write stamps
 * `lastmodifieddate`.
 *
 *   const ns = await NetSuiteFake.start()
 *   const id = ns.createCustomer({ companyname: 'Acme', email: 'ap@acme.example' })
 *   ns.createContact({ company: id, email: 'paul@acme.example' })
 *   netsuiteConnector.list({ settings: ns.settings(), secrets: ns.secrets(), … })
 */

export interface CustomerInput {
  entityid?: string | null
  companyname?: string | null
  isperson?: boolean
  firstname?: string | null
  lastname?: string | null
  email?: string | null
  phone?: string | null
  accountnumber?: string | null
  isinactive?: boolean
}

export interface ContactInput {
  firstname?: string | null
  lastname?: string | null
  email?: string | null
  phone?: string | null
  title?: string | null
  /** The contact's own company (a customer, or another entity such as a subsidiary). */
  company?: string | null
  isinactive?: boolean
  /** Role of its relationship with its own company (-10: Primary Contact). */
  role?: string | null
}

interface Customer extends Row {
  id: number
  lastmodifieddate: number
}
interface Contact extends Row {
  id: number
  lastmodifieddate: number
}
interface Relationship {
  company: number
  contact: number
  role: string | null
}

export interface NetSuiteFakeOptions {
  accountId?: string
  now?: number
  /** The account's time zone, in hours from UTC. */
  zoneHours?: number
}

const maxRows = 100_000

export class NetSuiteFake {
  readonly http: FakeHttp
  readonly accountId: string
  readonly consumerKey = fakeId('ck', 30)
  readonly consumerSecret = fakeId('cs', 30)
  tokenId = fakeId('tk', 30)
  tokenSecret = fakeId('ts', 30)
  readonly zoneOffset: number
  readonly customers = new Map<number, Customer>()
  readonly contacts = new Map<number, Contact>()
  /** Relationships by company. */
  readonly relationships = new Map<number, Relationship[]>()
  readonly deleted: Row[] = []
  /** Column values a test corrupts, as a malformed record would come (by table and id). */
  readonly corrupt = new Map<string, Row>()
  private readonly nonces = new Set<string>()
  private nextId = 100

  private constructor(options: NetSuiteFakeOptions) {
    this.http = new FakeHttp(options.now)
    this.accountId = options.accountId ?? '1234567_SB1'
    this.zoneOffset = (options.zoneHours ?? -7) * 3600
  }

  static async start(options: NetSuiteFakeOptions = {}): Promise<NetSuiteFake> {
    const fake = new NetSuiteFake(options)
    await fake.http.listen((request, failure) => fake.answer(request, failure))
    return fake
  }

  get url(): string {
    return this.http.url
  }

  /** The token id: what a revocation changes. */
  get apiKey(): string {
    return this.tokenId
  }

  get requests(): RecordedRequest[] {
    return this.http.requests
  }

  settings() {
    return { accountId: this.accountId, baseUrl: this.url }
  }

  secrets() {
    return {
      consumerKey: this.consumerKey,
      consumerSecret: this.consumerSecret,
      tokenId: this.tokenId,
      tokenSecret: this.tokenSecret,
    }
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

  /** The access token is revoked: a new one replaces it, the old one is refused. */
  revokeKey(): void {
    this.tokenId = fakeId('tk', 30)
    this.tokenSecret = fakeId('ts', 30)
  }

  stop(): Promise<void> {
    return this.http.close()
  }

  createCustomer(input: CustomerInput = {}): string {
    const id = this.nextId++
    this.customers.set(id, {
      id,
      entityid: input.entityid ?? `CUS-${String(id).padStart(5, '0')}`,
      companyname: input.companyname ?? null,
      isperson: input.isperson ? 'T' : 'F',
      firstname: input.firstname ?? null,
      lastname: input.lastname ?? null,
      email: input.email ?? null,
      phone: input.phone ?? null,
      accountnumber: input.accountnumber ?? null,
      isinactive: input.isinactive ? 'T' : 'F',
      lastmodifieddate: this.now(),
    })
    return String(id)
  }

  updateCustomer(id: string, changes: CustomerInput): void {
    const customer = this.customer(id)
    const { isperson, isinactive, ...fields } = changes
    Object.assign(customer, fields)
    if (isperson !== undefined) customer.isperson = isperson ? 'T' : 'F'
    if (isinactive !== undefined) customer.isinactive = isinactive ? 'T' : 'F'
    customer.lastmodifieddate = this.now()
  }

  /** Deleted as NetSuite deletes: gone from the tables, listed in `deletedrecord`. */
  deleteCustomer(id: string): void {
    this.forget(id)
    this.deleted.push({ recordid: Number(id), recordtype: 'customer', deleteddate: this.now() })
  }

  /** Gone without a trace (no deleted record). */
  forget(id: string): void {
    this.customer(id)
    this.customers.delete(Number(id))
    this.relationships.delete(Number(id))
  }

  /** A contact, related to its own company (when it has one) with `role`. */
  createContact(input: ContactInput): string {
    const id = this.nextId++
    this.contacts.set(id, {
      id,
      entityid: [input.firstname, input.lastname].filter(Boolean).join(' ') || `Contact ${id}`,
      firstname: input.firstname ?? null,
      lastname: input.lastname ?? null,
      email: input.email ?? null,
      phone: input.phone ?? null,
      title: input.title ?? null,
      company: input.company === undefined || input.company === null ? null : Number(input.company),
      isinactive: input.isinactive ? 'T' : 'F',
      lastmodifieddate: this.now(),
    })
    if (input.company) this.attach(String(id), input.company, input.role ?? null)
    return String(id)
  }

  updateContact(id: string, changes: Omit<ContactInput, 'role'>): void {
    const contact = this.contact(id)
    const { isinactive, company, ...fields } = changes
    Object.assign(contact, fields)
    if (isinactive !== undefined) contact.isinactive = isinactive ? 'T' : 'F'
    if (company !== undefined) contact.company = company === null ? null : Number(company)
    contact.lastmodifieddate = this.now()
  }

  /** Relates a contact to a company (its Relationships subtab); the contact is modified. */
  attach(contactId: string, companyId: string, role: string | null = null): void {
    const contact = this.contact(contactId)
    const list = this.relationships.get(Number(companyId)) ?? []
    list.push({ company: Number(companyId), contact: contact.id, role })
    this.relationships.set(Number(companyId), list)
    contact.lastmodifieddate = this.now()
  }

  detach(contactId: string, companyId: string): void {
    const contact = this.contact(contactId)
    const list = this.relationships.get(Number(companyId)) ?? []
    this.relationships.set(
      Number(companyId),
      list.filter((r) => r.contact !== contact.id),
    )
    contact.lastmodifieddate = this.now()
    // The customer's relationships changed: NetSuite stamps it too.
    const customer = this.customers.get(Number(companyId))
    if (customer) customer.lastmodifieddate = this.now()
  }

  private customer(id: string): Customer {
    const found = this.customers.get(Number(id))
    if (!found) throw new Error(`No NetSuite customer ${id}`)
    return found
  }

  private contact(id: string): Contact {
    const found = this.contacts.get(Number(id))
    if (!found) throw new Error(`No NetSuite contact ${id}`)
    return found
  }

  private answer(request: RecordedRequest, failure: Failure | null): FakeReply | 'drop' {
    if (failure) return failed(failure)
    if (refusal(request, this, this.nonces) !== null) return invalidLogin()
    if (request.method === 'POST' && request.path === '/services/rest/query/v1/suiteql') {
      return this.suiteql(request)
    }
    const record = /^\/services\/rest\/record\/v1\/customer(?:\/(\d+))?$/.exec(request.path)
    if (request.method === 'GET' && record) {
      return record[1] ? this.customerRecord(request, record[1]) : this.customerList(request)
    }
    return error(
      404,
      'Not Found',
      'NONEXISTENT_ID',
      `The record type or path ${request.path} does not exist.`,
    )
  }

  private suiteql(request: RecordedRequest): FakeReply {
    if (request.headers.prefer !== 'transient') {
      return error(
        400,
        'Bad Request',
        'INVALID_HEADER',
        "Header 'Prefer' must be set to 'transient'.",
      )
    }
    const paging = pagingOf(request)
    if (typeof paging === 'string') return error(400, 'Bad Request', 'INVALID_PARAMETER', paging)
    let q: unknown
    try {
      q = (JSON.parse(request.body) as { q?: unknown }).q
    } catch {
      q = undefined
    }
    if (typeof q !== 'string') {
      return error(
        400,
        'Bad Request',
        'INVALID_PARAMETER',
        'The request body must be {"q": "<SuiteQL>"}.',
      )
    }
    let rows: Record<string, string>[]
    try {
      rows = runQuery(q, this.tables())
    } catch (e) {
      if (!(e instanceof QueryError)) throw e
      return error(
        400,
        'Bad Request',
        'INVALID_PARAMETER',
        `Invalid search query. Detailed unprocessed description follows. ${e.message}`,
      )
    }
    return page(request, rows.slice(0, maxRows), paging, (row) => ({ links: [], ...row }))
  }

  private customerList(request: RecordedRequest): FakeReply {
    const paging = pagingOf(request)
    if (typeof paging === 'string') return error(400, 'Bad Request', 'INVALID_PARAMETER', paging)
    const ids = [...this.customers.keys()].sort((a, b) => a - b)
    return page(request, ids, paging, (id) => ({
      links: [
        { rel: 'self', href: `${this.selfBase(request)}/services/rest/record/v1/customer/${id}` },
      ],
      id: String(id),
    }))
  }

  private customerRecord(request: RecordedRequest, id: string): FakeReply {
    const c = this.customers.get(Number(id))
    if (!c) {
      return error(
        404,
        'Record Not Found',
        'NONEXISTENT_ID',
        `Record with id ${id} does not exist.`,
      )
    }
    return {
      status: 200,
      body: {
        links: [
          { rel: 'self', href: `${this.selfBase(request)}/services/rest/record/v1/customer/${id}` },
        ],
        id: String(c.id),
        entityId: c.entityid,
        companyName: c.companyname,
        isPerson: c.isperson === 'T',
        email: c.email,
        phone: c.phone,
        accountNumber: c.accountnumber,
        isInactive: c.isinactive === 'T',
        lastModifiedDate: new Date(c.lastmodifieddate * 1000).toISOString().replace('.000', ''),
      },
    }
  }

  private selfBase(request: RecordedRequest): string {
    return `http://${String(request.headers.host)}`
  }

  private tables(): Tables {
    return {
      dates: new Set(['lastmodifieddate', 'deleteddate']),
      zoneOffset: this.zoneOffset,
      now: this.now(),
      rows: (table, alias, join, where) => this.rows(table, alias, join, where),
    }
  }

  /** A table's rows (narrowed by the id lists of `where`, as an index would). */
  private rows(table: string, alias: string, join: Join | null, where: Condition[]): Row[] | null {
    const ids = (column: string) => {
      const condition = where.find((c) => c.op === 'IN' && c.column.toLowerCase() === column)
      return Array.isArray(condition?.value) ? condition.value.map(Number) : null
    }
    if (table === 'dual' && !join) return [{}]
    if (table === 'deletedrecord' && !join) return this.deleted.map((r) => qualify(r, alias))
    if (table === 'customer' && !join) {
      const wanted = ids('id') ?? ids(`${alias}.id`)
      const list = wanted
        ? wanted.flatMap((id) => this.customers.get(id) ?? [])
        : [...this.customers.values()]
      return list.map((c) => qualify(this.withCorruption('customer', c), alias))
    }
    if (table === 'contact' && !join) {
      return [...this.contacts.values()].map((c) =>
        qualify(this.withCorruption('contact', c), alias),
      )
    }
    if (table === 'companycontactrelationship' && join?.table === 'contact') {
      const wanted = ids(`${alias}.company`)
      const relationships = wanted
        ? wanted.flatMap((id) => this.relationships.get(id) ?? [])
        : [...this.relationships.values()].flat()
      return relationships.flatMap((r) => {
        const contact = this.contacts.get(r.contact)
        if (!contact) return []
        return [
          {
            ...qualify({ company: r.company, contact: r.contact, role: r.role }, alias, false),
            ...qualify(this.withCorruption('contact', contact), join.alias, false),
          },
        ]
      })
    }
    return null
  }

  private withCorruption(table: string, row: Row): Row {
    const corrupt = this.corrupt.get(`${table}/${String(row.id)}`)
    return corrupt ? { ...row, ...corrupt } : row
  }
}

/** A row under `alias.column`, and under `column` too for a table read alone. */
function qualify(row: Row, alias: string, plain = true): Row {
  const out: Row = {}
  for (const [key, value] of Object.entries(row)) {
    out[`${alias}.${key}`.toLowerCase()] = value
    if (plain) out[key.toLowerCase()] = value
  }
  return out
}

function pagingOf(request: RecordedRequest): { limit: number; offset: number } | string {
  const unknown = [...request.query.keys()].find((k) => !['limit', 'offset'].includes(k))
  if (unknown) return `Invalid query parameter: ${unknown}.`
  const limit = Number(request.query.get('limit') ?? '1000')
  const offset = Number(request.query.get('offset') ?? '0')
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    return 'The limit parameter must be between 1 and 1000.'
  }
  if (!Number.isInteger(offset) || offset < 0 || offset >= maxRows) {
    return `The offset parameter must be between 0 and ${maxRows - 1}.`
  }
  return { limit, offset }
}

/** NetSuite's page: `links` (self, first, previous, next, last), count, hasMore, items, offset. */
function page<T>(
  request: RecordedRequest,
  all: T[],
  { limit, offset }: { limit: number; offset: number },
  render: (item: T) => Record<string, unknown>,
): FakeReply {
  const items = all.slice(offset, offset + limit)
  const hasMore = offset + limit < all.length
  const href = (at: number) =>
    `http://${String(request.headers.host)}${request.path}?limit=${limit}&offset=${at}`
  const last = Math.max(0, Math.floor((all.length - 1) / limit) * limit)
  const links = [
    ...(offset > 0 ? [{ rel: 'previous', href: href(Math.max(0, offset - limit)) }] : []),
    { rel: 'first', href: href(0) },
    ...(hasMore ? [{ rel: 'next', href: href(offset + limit) }] : []),
    { rel: 'last', href: href(last) },
    { rel: 'self', href: href(offset) },
  ]
  return {
    status: 200,
    body: {
      links,
      count: items.length,
      hasMore,
      items: items.map(render),
      offset,
      totalResults: all.length,
    },
  }
}

function error(
  status: number,
  title: string,
  code: string,
  detail: string,
  headers?: Record<string, string>,
): FakeReply {
  return {
    status,
    body: {
      type:
        statusTypes[status] ?? 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.1',
      title,
      status,
      'o:errorDetails': [{ detail, 'o:errorCode': code }],
    },
    ...(headers ? { headers } : {}),
  }
}

/** The `type` NetSuite gives each status: the HTTP/1.1 section that defines it. */
const statusTypes: Record<number, string> = {
  400: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1',
  401: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2',
  403: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.4',
  404: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5',
  429: 'https://tools.ietf.org/html/rfc6585#section-4',
}

function invalidLogin(): FakeReply {
  return error(
    401,
    'Unauthorized',
    'INVALID_LOGIN',
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
    { 'www-authenticate': 'OAuth realm="NetSuite"' },
  )
}

function failed(failure: Failure): FakeReply | 'drop' {
  switch (failure.status) {
    case 'drop':
      return 'drop'
    case 429:
      // Over the account's concurrency limit.
      return error(
        429,
        'Too Many Requests',
        'CONCURRENCY_LIMIT_EXCEEDED',
        'Concurrent request limit exceeded. Request blocked.',
        failure.retryAfter === undefined
          ? undefined
          : { 'retry-after': String(failure.retryAfter) },
      )
    case 401:
      return invalidLogin()
    case 403:
      return error(
        403,
        'Forbidden',
        'INSUFFICIENT_PERMISSION',
        'Permission Violation: You need a higher level of the Customers permission to access this page.',
      )
    default:
      return error(
        failure.status,
        'Internal Server Error',
        'UNEXPECTED_ERROR',
        'An unexpected error occurred.',
      )
  }
}
