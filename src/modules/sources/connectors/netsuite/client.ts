import { createHmac } from 'node:crypto'
import OAuth from 'oauth-1.0a'
import { describeIssues, fetchWithSignal, isNetworkFailure, retryAfterMs } from '../common.ts'
import { SourceError } from '../types.ts'
import {
  netsuiteError,
  netsuitePage,
  type NetSuiteSecrets,
  type NetSuiteSettings,
} from './schemas.ts'

/** One request's time limit; the engine's policy decides whether a timed-out call is retried. */
const timeoutMs = 60_000

/** The account's REST host: `1234567_SB1` is served at `1234567-sb1.suitetalk.api.netsuite.com`. */
export function accountHost(accountId: string): string {
  return `https://${accountId.toLowerCase().replaceAll('_', '-')}.suitetalk.api.netsuite.com`
}

/** A SuiteQL or REST collection page, with the server's clock from its Date header. */
export interface NetSuitePage {
  items: unknown[]
  hasMore: boolean
  date: string | null
}

/**
 * NetSuite's REST web services with token-based authentication: every request is signed with
 * OAuth 1.0a HMAC-SHA256 (consumer and token), the account id as realm. Requests go one at a
 * time, as NetSuite governs concurrency per account across all integrations; a 429 goes back to
 * the engine, which waits. With `baseUrl`, every call goes to that base plus the real path.
 */
export class NetSuiteClient {
  private readonly base: string
  private readonly oauth: OAuth
  private readonly token: OAuth.Token
  private readonly send: typeof fetch
  private readonly signal: AbortSignal | undefined

  constructor(settings: NetSuiteSettings, secrets: NetSuiteSecrets, signal?: AbortSignal) {
    this.signal = signal
    this.base = (settings.baseUrl ?? accountHost(settings.accountId)).replace(/\/+$/, '')
    this.oauth = new OAuth({
      consumer: { key: secrets.consumerKey, secret: secrets.consumerSecret },
      signature_method: 'HMAC-SHA256',
      // The realm keeps the account id's own form, upper case: 1234567_SB1.
      realm: settings.accountId.toUpperCase(),
      // As NetSuite's own examples write the header.
      parameter_seperator: ',',
      hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
    })
    this.token = { key: secrets.tokenId, secret: secrets.tokenSecret }
    this.send = fetchWithSignal(signal)
  }

  /** `GET /services/rest/record/v1/{path}`: a record collection page (ids and links). */
  async records(path: string, query: Record<string, string>): Promise<NetSuitePage> {
    const url = `${this.base}/services/rest/record/v1/${path}?${new URLSearchParams(query).toString()}`
    return this.page(await this.call('GET', url))
  }

  /** `POST /services/rest/query/v1/suiteql`: one page of a SuiteQL query. */
  async suiteql(q: string, limit: number, offset: number): Promise<NetSuitePage> {
    const url = `${this.base}/services/rest/query/v1/suiteql?limit=${limit}&offset=${offset}`
    return this.page(await this.call('POST', url, JSON.stringify({ q })))
  }

  private async call(method: string, url: string, body?: string): Promise<Response> {
    this.signal?.throwIfAborted()
    // The query string is part of the signature base string; the JSON body is not.
    const authorization = this.oauth.toHeader(this.oauth.authorize({ url, method }, this.token))
    const headers: Record<string, string> = { ...authorization, accept: 'application/json' }
    if (body !== undefined) {
      headers['content-type'] = 'application/json'
      headers.prefer = 'transient'
    }
    let response: Response
    try {
      response = await this.send(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      this.signal?.throwIfAborted()
      if (isNetworkFailure(error)) {
        throw new SourceError('temporary', 'no answer over the network', { cause: error })
      }
      throw error
    }
    if (!response.ok) throw await classify(response)
    return response
  }

  private async page(response: Response): Promise<NetSuitePage> {
    let json: unknown
    try {
      json = await response.json()
    } catch (error) {
      this.signal?.throwIfAborted()
      throw new SourceError('temporary', 'its answer could not be read', { cause: error })
    }
    const parsed = netsuitePage.safeParse(json)
    if (!parsed.success) {
      throw new SourceError(
        'temporary',
        `the page it answered could not be read (${describeIssues(parsed.error)})`,
        { cause: parsed.error },
      )
    }
    const { items, hasMore } = parsed.data
    return { items, hasMore, date: response.headers.get('date') }
  }
}

/** NetSuite's refusal as a SourceError: its own detail and error code, in a few words. */
async function classify(response: Response): Promise<SourceError> {
  const { status } = response
  const text = await response.text().catch(() => '')
  let parsedBody: unknown = null
  try {
    parsedBody = JSON.parse(text)
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const parsed = netsuiteError.safeParse(parsedBody)
  const detail = parsed.success ? parsed.data['o:errorDetails']?.[0] : undefined
  const code = detail?.['o:errorCode']
  const said =
    detail?.detail ?? (parsed.success ? parsed.data.title : undefined) ?? 'no reason given'
  const reason = code ? `${said} (${code})` : said
  if (status === 429) {
    return new SourceError('rate_limited', reason, {
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    })
  }
  if (status === 401 || status === 403) return new SourceError('auth_revoked', reason)
  if (status === 404) return new SourceError('not_found', reason)
  if (status === 400) return new SourceError('bad_data', `error 400: ${reason}`)
  return new SourceError('temporary', `error ${status}: ${reason}`)
}
