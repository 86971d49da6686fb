import { createHash, randomUUID } from 'node:crypto'
import {
  credentialsOf,
  fakeId,
  type Failure,
  type FakeReply,
  type RecordedRequest,
} from '../fake-http.ts'

/** How the Xero fake answers, in Xero's shapes (see fake-server.ts). */

export type Json = Record<string, unknown>

export interface Tenant {
  tenantId: string
  tenantName: string
}

/** One consent of an app to some organisations: its rotating refresh token. */
export interface Grant {
  id: string
  clientId: string
  tenants: string[]
  refreshToken: string
  revoked: boolean
}

export interface PendingCode {
  clientId: string
  redirectUri: string
  challenge: string | null
  tenants: string[]
}

export interface XeroStore {
  readonly clientId: string
  readonly clientSecret: string
  readonly tenants: Tenant[]
  /** Contacts by tenant, then by ContactID. */
  readonly contacts: Map<string, Map<string, Json>>
  readonly grants: Map<string, Grant>
  /**
   * Access token → its grant and when it expires (wall-clock seconds, as Roster counts them: the
   * fake's own clock moves by hours between writes in the suites).
   */
  readonly accessTokens: Map<string, { grant: string; expiresAt: number }>
  readonly codes: Map<string, PendingCode>
  /** Refresh tokens already used: refused with invalid_grant. */
  readonly usedRefreshTokens: Set<string>
  now(): number
  issue(grant: Grant): Json
}

const accessLifetime = 1800
export const wallSeconds = (): number => Math.floor(Date.now() / 1000)
const rateHeaders = {
  'x-daylimit-remaining': '4990',
  'x-minlimit-remaining': '59',
  'x-appminlimit-remaining': '9999',
}

export function answer(
  store: XeroStore,
  request: RecordedRequest,
  failure: Failure | null,
): FakeReply | 'drop' {
  if (request.path === '/identity/connect/authorize' && request.method === 'GET') {
    return consentPage(store, request)
  }
  if (request.path === '/identity/connect/authorize/decision' && request.method === 'POST') {
    return decision(store, request)
  }
  if (failure) return failed(failure)
  if (request.path === '/connect/token' && request.method === 'POST') return token(store, request)
  if (request.path === '/connections' && request.method === 'GET') {
    const grant = bearer(store, request)
    if (typeof grant !== 'object' || 'status' in grant) return grant
    return {
      status: 200,
      body: store.tenants
        .filter((t) => grant.tenants.includes(t.tenantId))
        .map((t) => ({
          id: fakeUuid(`${grant.id}/${t.tenantId}`),
          authEventId: fakeUuid(grant.id),
          tenantId: t.tenantId,
          tenantType: 'ORGANISATION',
          tenantName: t.tenantName,
          createdDateUtc: '2025-01-01T00:00:00.0000000',
          updatedDateUtc: '2025-01-01T00:00:00.0000000',
        })),
    }
  }
  if (request.path === '/api.xro/2.0/Contacts' && request.method === 'GET') {
    return contacts(store, request)
  }
  return problem(404, 'Not Found', 'The resource you\u2019re looking for cannot be found')
}

/** A Bearer access token the fake issued and has not expired or revoked: its grant. */
function bearer(store: XeroStore, request: RecordedRequest): Grant | FakeReply {
  const token = credentialsOf(request.headers.authorization)?.user ?? ''
  const known = store.accessTokens.get(token)
  const grant = known ? store.grants.get(known.grant) : undefined
  if (!known || !grant || grant.revoked) {
    return problem(401, 'Unauthorized', 'AuthenticationUnsuccessful')
  }
  if (known.expiresAt <= wallSeconds()) return problem(401, 'Unauthorized', 'TokenExpired')
  return grant
}

function contacts(store: XeroStore, request: RecordedRequest): FakeReply {
  const grant = bearer(store, request)
  if ('status' in grant) return grant
  const tenantId = request.headers['xero-tenant-id']
  if (typeof tenantId !== 'string' || tenantId === '') {
    return problem(400, 'Bad Request', 'xero-tenant-id header is required')
  }
  if (!grant.tenants.includes(tenantId)) {
    return problem(403, 'Forbidden', 'AuthorizationUnsuccessful')
  }
  if (!(request.headers.accept ?? '').includes('application/json')) {
    // XML is Xero's default.
    return {
      status: 200,
      raw: true,
      headers: { 'content-type': 'text/xml; charset=utf-8', ...rateHeaders },
      body: '<Response xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><Status>OK</Status><Contacts /></Response>',
    }
  }
  const q = request.query
  const where = q.get('where')
  if (where !== null && where.replace(/\s/g, '') !== 'IsCustomer==true') {
    return validation(`The fake supports where=IsCustomer==true only, not "${where}"`)
  }
  const order = q.get('order') ?? 'Name ASC'
  if (!['UpdatedDateUTC ASC', 'Name ASC'].includes(order)) {
    return validation(`The fake cannot order by "${order}"`)
  }
  const page = Number(q.get('page') ?? '1')
  const pageSize = Number(q.get('pageSize') ?? '100')
  if (!Number.isInteger(page) || page < 1) return validation('page must be 1 or more')
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    return validation('pageSize must be between 1 and 1000')
  }
  const header = request.headers['if-modified-since']
  const since = typeof header === 'string' ? readModifiedSince(header) : null
  const includeArchived = q.get('includeArchived') === 'true'
  const rows = [...(store.contacts.get(tenantId)?.values() ?? [])]
    .filter((c) => includeArchived || c.ContactStatus === 'ACTIVE')
    .filter((c) => where === null || c.IsCustomer === true)
    .filter((c) => since === null || msOf(c) >= since)
    .sort((a, b) =>
      order === 'Name ASC'
        ? String(a.Name).localeCompare(String(b.Name))
        : msOf(a) - msOf(b) || String(a.ContactID).localeCompare(String(b.ContactID)),
    )
  const window = rows.slice((page - 1) * pageSize, page * pageSize)
  return {
    status: 200,
    headers: rateHeaders,
    body: {
      Id: randomUUID(),
      Status: 'OK',
      ProviderName: 'Roster (test)',
      DateTimeUTC: `/Date(${store.now() * 1000})/`,
      pagination: {
        page,
        pageSize,
        pageCount: Math.ceil(rows.length / pageSize),
        itemCount: rows.length,
      },
      Contacts: window.map((c) => structuredClone(c)),
    },
  }
}

/** `If-Modified-Since` as Xero takes it: an ISO time, UTC when it names no zone. */
function readModifiedSince(value: string): number | null {
  const zoned = /Z|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`
  const at = Date.parse(zoned)
  return Number.isNaN(at) ? null : at
}

export const msOf = (contact: Json): number =>
  Number(/\/Date\((\d+)/.exec(String(contact.UpdatedDateUTC))?.[1] ?? 0)

/** `POST /connect/token`: Basic client auth, the code (with PKCE) or a rotating refresh token. */
function token(store: XeroStore, request: RecordedRequest): FakeReply {
  const client = credentialsOf(request.headers.authorization)
  if (client?.user !== store.clientId || client.password !== store.clientSecret) {
    return { status: 400, body: { error: 'invalid_client' } }
  }
  const form = new URLSearchParams(request.body)
  const invalid: FakeReply = { status: 400, body: { error: 'invalid_grant' } }
  if (form.get('grant_type') === 'authorization_code') {
    const code = store.codes.get(form.get('code') ?? '')
    store.codes.delete(form.get('code') ?? '')
    if (!code || code.redirectUri !== form.get('redirect_uri')) return invalid
    if (code.challenge !== null) {
      const verifier = form.get('code_verifier') ?? ''
      const challenge = createHash('sha256').update(verifier).digest('base64url')
      if (challenge !== code.challenge) return invalid
    }
    const grant: Grant = {
      id: randomUUID(),
      clientId: code.clientId,
      tenants: code.tenants,
      refreshToken: '',
      revoked: false,
    }
    store.grants.set(grant.id, grant)
    return { status: 200, body: store.issue(grant) }
  }
  if (form.get('grant_type') === 'refresh_token') {
    const given = form.get('refresh_token') ?? ''
    const grant = [...store.grants.values()].find((g) => g.refreshToken === given)
    if (!grant || grant.revoked || store.usedRefreshTokens.has(given)) return invalid
    store.usedRefreshTokens.add(given)
    return { status: 200, body: store.issue(grant) }
  }
  return { status: 400, body: { error: 'unsupported_grant_type' } }
}

/** Issues an access token and a new refresh token; the grant's previous one is used up. */
export function issueTokens(store: XeroStore, grant: Grant): Json {
  const access = fakeId('xat_', 40)
  const refresh = fakeId('xrt_', 40)
  if (grant.refreshToken) store.usedRefreshTokens.add(grant.refreshToken)
  grant.refreshToken = refresh
  store.accessTokens.set(access, { grant: grant.id, expiresAt: wallSeconds() + accessLifetime })
  return {
    access_token: access,
    expires_in: accessLifetime,
    token_type: 'Bearer',
    refresh_token: refresh,
    scope: 'offline_access accounting.contacts.read',
  }
}

/** Xero's consent page: who asks, for what, and Allow or Deny. */
function consentPage(store: XeroStore, request: RecordedRequest): FakeReply {
  const q = request.query
  const html = (status: number, body: string): FakeReply => ({
    status,
    raw: true,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html lang="en"><head><title>Xero | Authorise app</title></head><body>${body}</body></html>`,
  })
  if (q.get('client_id') !== store.clientId || q.get('response_type') !== 'code') {
    return html(400, '<h1>Sorry, something went wrong</h1><p>unauthorized_client</p>')
  }
  if (!q.get('redirect_uri')) return html(400, '<h1>Invalid redirect_uri</h1>')
  const hidden = ['client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method']
    .map((name) => `<input type="hidden" name="${name}" value="${escape(q.get(name) ?? '')}">`)
    .join('')
  const names = store.tenants.map((t) => `<li>${escape(t.tenantName)}</li>`).join('')
  return html(
    200,
    `<main><h1>Roster wants to access your Xero organisations</h1><p>Scopes: ${escape(q.get('scope') ?? '')}</p><ul aria-label="Organisations">${names}</ul>` +
      `<form method="post" action="/identity/connect/authorize/decision">${hidden}` +
      `<button type="submit" name="decision" value="allow">Allow access</button>` +
      `<button type="submit" name="decision" value="deny">Cancel</button></form></main>`,
  )
}

/** The admin's answer: back to the redirect URI with a code, or with error=access_denied. */
function decision(store: XeroStore, request: RecordedRequest): FakeReply {
  const form = new URLSearchParams(request.body)
  const target = new URL(form.get('redirect_uri') ?? '')
  const state = form.get('state')
  if (form.get('decision') === 'allow') {
    const code = fakeId('', 32)
    store.codes.set(code, {
      clientId: form.get('client_id') ?? '',
      redirectUri: target.toString(),
      challenge:
        form.get('code_challenge_method') === 'S256' ? (form.get('code_challenge') ?? '') : null,
      tenants: store.tenants.map((t) => t.tenantId),
    })
    target.searchParams.set('code', code)
    target.searchParams.set('scope', 'offline_access accounting.contacts.read')
  } else {
    target.searchParams.set('error', 'access_denied')
  }
  if (state !== null) target.searchParams.set('state', state)
  return { status: 302, raw: true, body: '', headers: { location: target.toString() } }
}

const escape = (value: string): string =>
  value.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  )

/** Xero's problem body (RFC 7807 style) for 401/403/404. */
function problem(status: number, title: string, detail: string): FakeReply {
  return {
    status,
    headers: rateHeaders,
    body: {
      Type: null,
      Title: title,
      Status: status,
      Detail: detail,
      Instance: randomUUID(),
      Extensions: {},
    },
  }
}

function validation(message: string): FakeReply {
  return {
    status: 400,
    body: {
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [{ ValidationErrors: [{ Message: message }] }],
    },
  }
}

function failed(failure: Failure): FakeReply | 'drop' {
  switch (failure.status) {
    case 'drop':
      return 'drop'
    case 429:
      return {
        status: 429,
        body: { Title: 'Too Many Requests', Status: 429, Detail: 'Rate limit exceeded' },
        headers: {
          'x-rate-limit-problem': 'minute',
          'x-minlimit-remaining': '0',
          ...(failure.retryAfter === undefined
            ? {}
            : { 'retry-after': String(failure.retryAfter) }),
        },
      }
    case 401:
      return problem(401, 'Unauthorized', 'AuthenticationUnsuccessful')
    case 403:
      return problem(403, 'Forbidden', 'AuthorizationUnsuccessful')
    default:
      return problem(
        failure.status,
        'An error occurred',
        'An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status.',
      )
  }
}

/** A stable GUID-looking id for a name. */
export function fakeUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
