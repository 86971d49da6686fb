import { createHash, createHmac } from 'node:crypto'
import { headerValue, sameSecret } from '../common.ts'
import { SourceError, type Connector } from '../types.ts'
import { quickbooksApi } from './client.ts'
import { quickbooksConsent } from './consent.ts'
import { quickbooksDescriptor } from './descriptor.ts'
import { listAll, listChanges } from './list.ts'
import {
  quickbooksSecrets,
  quickbooksSettings,
  type QuickBooksSecrets,
  type QuickBooksSettings,
} from './schemas.ts'
import { refreshTokens, usableAccessToken } from './tokens.ts'

function accessTokenOf(secrets: QuickBooksSecrets): string {
  const token = usableAccessToken(secrets, 'now')
  // The engine refreshes before each run; a token without time left is one it could not renew.
  if (token === null) throw new SourceError('auth_revoked', 'the access token has expired')
  return token
}

export const quickbooksConnector: Connector<QuickBooksSettings, QuickBooksSecrets> = {
  descriptor: quickbooksDescriptor,
  settings: quickbooksSettings,
  secrets: quickbooksSecrets,

  async check(settings, secrets, signal) {
    // Listing one customer proves the token may read this company's customers.
    const api = quickbooksApi(settings, accessTokenOf(secrets), signal)
    await api.query('SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 1')
  },

  list({ settings, secrets, cursor, mode, signal }) {
    const api = quickbooksApi(settings, accessTokenOf(secrets), signal)
    return mode === 'full' ? listAll(api, cursor) : listChanges(api, cursor)
  },

  /**
   * Intuit signs each call with the app's verifier token: `intuit-signature` is the base64
   * HMAC-SHA256 of the raw body. There is no time in it, so no age to check.
   */
  verifyWebhook({ headers, rawBody }, _settings, secrets) {
    if (!secrets.webhookVerifierToken) {
      throw new SourceError(
        'unverified',
        "No webhook verifier token is set for this QuickBooks connection: add the app's verifier token to accept QuickBooks webhooks.",
      )
    }
    const signature = headerValue(headers, quickbooksDescriptor.webhookHeader)
    if (!signature) throw new SourceError('unverified', 'The call has no intuit-signature header.')
    const expected = createHmac('sha256', secrets.webhookVerifierToken)
      .update(rawBody)
      .digest('base64')
    if (!sameSecret(signature.trim(), expected)) {
      throw new SourceError('unverified', 'The intuit-signature does not match the body.')
    }
    // Its notifications carry no id, but each names its entities with their change time: the
    // same body is the same notification, resent.
    return { changes: true, eventId: createHash('sha256').update(rawBody).digest('hex') }
  },

  /**
   * A new access token when the stored one has little time left. Intuit answers with a new
   * refresh token each time and the old one stops working: the engine stores what this returns
   * before it uses it.
   */
  async refreshSecrets(settings, secrets, signal) {
    if (usableAccessToken(secrets, 'fresh') !== null) return null
    return refreshTokens(settings, secrets, signal)
  },

  consent: quickbooksConsent,
}
