import { createHmac } from 'node:crypto'
import type { RecordedRequest } from '../fake-http.ts'

/**
 * The fake's own check of NetSuite's token-based authentication (test tooling): it recomputes
 * the OAuth 1.0a HMAC-SHA256 signature from RFC 5849 with node:crypto, independently of the
 * library the connector signs with, so a wrong base string, key or realm is refused.
 */

export interface Tokens {
  accountId: string
  consumerKey: string
  consumerSecret: string
  tokenId: string
  tokenSecret: string
}

/** RFC 3986 percent-encoding, as RFC 5849 wants it. */
const encode = (value: string): string =>
  encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )

/** The header's parameters, decoded; null when it is not an OAuth header. */
export function oauthParams(header: string | undefined): Map<string, string> | null {
  const match = /^OAuth\s+(.*)$/i.exec(header ?? '')
  if (!match?.[1]) return null
  const params = new Map<string, string>()
  for (const part of match[1].split(',')) {
    const pair = /^\s*([\w-]+)="([^"]*)"\s*$/.exec(part)
    if (!pair?.[1]) return null
    params.set(pair[1], decodeURIComponent(pair[2] ?? ''))
  }
  return params
}

/** The signature RFC 5849 gives for this request and these secrets. */
export function signature(
  request: RecordedRequest,
  params: Map<string, string>,
  secrets: { consumerSecret: string; tokenSecret: string },
): string {
  const pairs: [string, string][] = [...request.query].map(([k, v]) => [encode(k), encode(v)])
  for (const [key, value] of params) {
    if (key === 'realm' || key === 'oauth_signature') continue
    pairs.push([encode(key), encode(value)])
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
  const normalized = pairs.map(([k, v]) => `${k}=${v}`).join('&')
  const host = (request.headers.host ?? '').toLowerCase()
  const base = [
    request.method.toUpperCase(),
    encode(`http://${host}${request.path}`),
    encode(normalized),
  ]
  const key = `${encode(secrets.consumerSecret)}&${encode(secrets.tokenSecret)}`
  return createHmac('sha256', key).update(base.join('&')).digest('base64')
}

/** Why NetSuite would refuse this request's credentials, or null when they hold. */
export function refusal(
  request: RecordedRequest,
  tokens: Tokens,
  nonces: Set<string>,
): string | null {
  const params = oauthParams(request.headers.authorization)
  if (!params) return 'no OAuth header'
  if (params.get('realm') !== tokens.accountId) return 'wrong realm'
  if (params.get('oauth_signature_method') !== 'HMAC-SHA256') return 'wrong signature method'
  if (params.get('oauth_version') !== '1.0') return 'wrong version'
  if (params.get('oauth_consumer_key') !== tokens.consumerKey) return 'unknown consumer'
  if (params.get('oauth_token') !== tokens.tokenId) return 'unknown or revoked token'
  const nonce = params.get('oauth_nonce') ?? ''
  const timestamp = params.get('oauth_timestamp') ?? ''
  if (nonce === '' || !/^\d+$/.test(timestamp)) return 'no nonce or timestamp'
  // A nonce used twice with the same timestamp is a replay.
  if (nonces.has(`${timestamp}/${nonce}`)) return 'nonce used before'
  const expected = signature(request, params, tokens)
  if (params.get('oauth_signature') !== expected) return 'wrong signature'
  nonces.add(`${timestamp}/${nonce}`)
  return null
}
