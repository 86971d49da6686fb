import { headerValue, sameSecret } from '../common.ts'
import { SourceError, type Connector } from '../types.ts'
import { tokenIsFresh, ZuoraClient } from './client.ts'
import { zuoraDescriptor } from './descriptor.ts'
import { listAll, listChanges } from './list.ts'
import { zuoraSecrets, zuoraSettings, type ZuoraSecrets, type ZuoraSettings } from './schemas.ts'

export const zuoraConnector: Connector<ZuoraSettings, ZuoraSecrets> = {
  descriptor: zuoraDescriptor,
  settings: zuoraSettings,
  secrets: zuoraSecrets,

  async check(settings, secrets, signal) {
    // One account listed proves the client's token reaches the tenant's accounts.
    await new ZuoraClient(settings, secrets, signal).get('/object-query/accounts', [
      ['pageSize', '1'],
    ])
  },

  list({ settings, secrets, cursor, mode, signal }) {
    const client = new ZuoraClient(settings, secrets, signal)
    return mode === 'full' ? listAll(client, cursor) : listChanges(client, cursor)
  },

  /**
   * The access token is stored with the secrets (the engine encrypts it before the run uses it),
   * so a run, another worker or a restarted process reuses it until shortly before it ends:
   * Zuora asks that each token be used until it expires, and limits token requests far below
   * API calls. A token that ends during a run is replaced by the client for that run.
   */
  async refreshSecrets(settings, secrets, signal) {
    if (tokenIsFresh(secrets)) return null
    const issued = await new ZuoraClient(settings, secrets, signal).issueToken()
    return { ...secrets, ...issued }
  },

  /**
   * A callout signs nothing: the notification is set with Basic authentication (preemptive), a
   * user name and password Zuora sends on each call, compared here in constant time.
   */
  verifyWebhook({ headers }, _settings, secrets) {
    const { calloutUsername, calloutPassword } = secrets
    if (!calloutUsername || !calloutPassword) {
      throw new SourceError(
        'unverified',
        'No callout user name and password are set for this Zuora connection: set the same ones here and on the callout notification in Zuora to accept its calls.',
      )
    }
    const given = basicCredentials(headerValue(headers, zuoraDescriptor.webhookHeader))
    if (!given) {
      throw new SourceError(
        'unverified',
        'The call has no Basic credentials (turn on preemptive authentication on the callout).',
      )
    }
    const userMatches = sameSecret(given.user, calloutUsername)
    const passwordMatches = sameSecret(given.password, calloutPassword)
    if (!userMatches || !passwordMatches) {
      throw new SourceError('unverified', 'The callout user name or password does not match.')
    }
  },
}

function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const match = /^basic\s+(\S+)\s*$/i.exec(header ?? '')
  if (!match?.[1]) return null
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}
