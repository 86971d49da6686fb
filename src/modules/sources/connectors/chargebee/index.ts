import { bodyEventId, headerValue, listWith, sameSecret } from '../common.ts'
import { SourceError, type Connector } from '../types.ts'
import { chargebeeDescriptor } from './descriptor.ts'
import { call, chargebeeClient } from './client.ts'
import { listAll, listChanges } from './list.ts'
import {
  chargebeeSecrets,
  chargebeeSettings,
  type ChargebeeSecrets,
  type ChargebeeSettings,
} from './schemas.ts'

export const chargebeeConnector: Connector<ChargebeeSettings, ChargebeeSecrets> = {
  descriptor: chargebeeDescriptor,
  settings: chargebeeSettings,
  secrets: chargebeeSecrets,

  async check(settings, secrets, signal) {
    // Listing one customer proves the site exists and the key may read customers.
    const chargebee = await chargebeeClient(settings, secrets, signal)
    try {
      await call(signal, () => chargebee.customer.list({ limit: 1 }))
    } catch (error) {
      if (!(error instanceof SourceError) || error.kind !== 'not_found') throw error
      throw new SourceError(
        'not_found',
        `there is no site "${settings.site}" (the site name is acme-test for acme-test.chargebee.com)`,
        { cause: error },
      )
    }
  },

  list({ settings, secrets, cursor, mode, signal }) {
    return listWith(
      () => chargebeeClient(settings, secrets, signal),
      (chargebee) =>
        mode === 'full'
          ? listAll(chargebee, cursor, signal)
          : listChanges(chargebee, cursor, signal),
    )
  },

  /**
   * Chargebee signs nothing: the webhook endpoint is configured with a user name and password
   * that Chargebee sends as HTTP Basic credentials, compared here in constant time.
   */
  verifyWebhook({ headers, rawBody }, _settings, secrets) {
    const { webhookUsername, webhookPassword } = secrets
    if (!webhookUsername || !webhookPassword) {
      throw new SourceError(
        'unverified',
        'No webhook user name and password are set for this Chargebee connection: set the same ones here and on the webhook in Chargebee to accept its calls.',
      )
    }
    const given = basicCredentials(headerValue(headers, chargebeeDescriptor.webhookHeader))
    if (!given) {
      throw new SourceError('unverified', 'The call has no Basic credentials.')
    }
    const userMatches = sameSecret(given.user, webhookUsername)
    const passwordMatches = sameSecret(given.password, webhookPassword)
    if (!userMatches || !passwordMatches) {
      throw new SourceError('unverified', 'The webhook user name or password does not match.')
    }
    // The event's id (ev_…): Chargebee's retries of an event carry the same one.
    const eventId = bodyEventId(rawBody)
    return eventId === undefined ? { changes: true } : { changes: true, eventId }
  },
}

function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const match = /^basic\s+(\S+)\s*$/i.exec(header ?? '')
  if (!match?.[1]) return null
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}
