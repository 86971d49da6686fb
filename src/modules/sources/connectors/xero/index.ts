import { createHmac } from 'node:crypto'
import { z } from 'zod'
import { headerValue, sameSecret } from '../common.ts'
import { SourceError, type Connector } from '../types.ts'
import { getContacts } from './client.ts'
import { xeroDescriptor } from './descriptor.ts'
import { hosts, scopes } from './hosts.ts'
import { listAll, listChanges, tenantOf } from './list.ts'
import { xeroSecrets, xeroSettings, type XeroSecrets, type XeroSettings } from './schemas.ts'
import { exchangeCode, issuedWith, refreshTokens, tenantsOf } from './token.ts'

/** An access token this close to its end is refreshed first (Xero's last 30 minutes). */
const refreshMarginSeconds = 5 * 60

/** A webhook batch: ids only, the contacts are read again by the run it queues. */
const webhookBatch = z.looseObject({
  events: z.array(z.looseObject({ tenantId: z.string().optional() })),
  firstEventSequence: z.number().int().optional(),
  lastEventSequence: z.number().int().optional(),
})

export const xeroConnector: Connector<XeroSettings, XeroSecrets> = {
  descriptor: xeroDescriptor,
  settings: xeroSettings,
  secrets: xeroSecrets,

  async check(settings, secrets, signal) {
    // One customer of the organisation proves the token, the tenant and the contacts scope.
    if (!secrets.accessToken) throw new SourceError('auth_revoked', 'no access token')
    const tenant = await tenantOf(settings, secrets.accessToken, signal)
    await getContacts(
      settings,
      tenant,
      secrets.accessToken,
      { page: 1, pageSize: 1, includeArchived: false },
      signal,
    )
  },

  list(request) {
    return request.mode === 'full' ? listAll(request) : listChanges(request)
  },

  /** Xero rotates the refresh token on every use: what this returns must be stored at once. */
  async refreshSecrets(settings, secrets, signal) {
    const now = Math.floor(Date.now() / 1000)
    const current =
      secrets.accessToken !== undefined && secrets.issuedWith === issuedWith(secrets.refreshToken)
    if (current && (secrets.expiresAt ?? 0) - now > refreshMarginSeconds) return null
    return { ...secrets, ...(await refreshTokens(settings, secrets, signal)) }
  },

  /**
   * `x-xero-signature`: base64 HMAC-SHA256 of the raw body with the webhook key. A batch with
   * no events is Xero's "intent to receive" probe: proven, but nothing to sync.
   */
  verifyWebhook({ headers, rawBody }, settings, secrets) {
    if (!secrets.webhookKey) {
      throw new SourceError(
        'unverified',
        'No webhook key is set for this Xero connection: set the key Xero shows for your webhook to accept its calls.',
      )
    }
    const given = headerValue(headers, xeroDescriptor.webhookHeader)
    if (!given) throw new SourceError('unverified', 'The call has no x-xero-signature header.')
    const expected = createHmac('sha256', secrets.webhookKey).update(rawBody).digest('base64')
    if (!sameSecret(given, expected)) {
      throw new SourceError('unverified', 'The x-xero-signature does not match the body.')
    }
    let batch: z.infer<typeof webhookBatch> | null
    try {
      const parsed = webhookBatch.safeParse(JSON.parse(rawBody.toString('utf8')))
      batch = parsed.success ? parsed.data : null
    } catch {
      batch = null
    }
    if (!batch) return { changes: true }
    const ours = batch.events.filter(
      (event) => !settings.tenantId || !event.tenantId || event.tenantId === settings.tenantId,
    )
    // A batch's sequence numbers name it: Xero's retries of a batch carry the same ones.
    const { firstEventSequence: first, lastEventSequence: last } = batch
    if (ours.length === 0 || first === undefined || last === undefined) {
      return { changes: ours.length > 0 }
    }
    return { changes: true, eventId: `${String(first)}-${String(last)}` }
  },
  webhookReply: 'empty-200',

  consent: {
    authorizeUrl({ settings, clientId, redirectUri, state, codeChallenge }) {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: scopes,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      })
      return `${hosts.authorize(settings)}?${query.toString()}`
    },

    async complete({ settings, clientId, clientSecret, redirectUri, codeVerifier, query, signal }) {
      const code = query.code
      if (!code) throw new SourceError('bad_data', 'its answer carries no code')
      const tokens = await exchangeCode(
        settings,
        { clientId, clientSecret },
        { code, redirectUri, codeVerifier },
        signal,
      )
      const tenants = await tenantsOf(settings, tokens.accessToken, signal)
      const [first] = tenants
      if (!first) throw new SourceError('auth_revoked', 'the access reaches no Xero organisation')
      // A reconnection keeps its organisation when the new access still reaches it.
      const kept = tenants.find((t) => t.id === settings.tenantId)
      return {
        settings: { ...settings, tenantId: (kept ?? first).id },
        secrets: { clientId, clientSecret, ...tokens },
        ...(tenants.length > 1 && !kept ? { tenants } : {}),
      }
    },

    choose: (settings, tenantId) => ({ ...settings, tenantId }),
  },
}
