import { SourceError, type Consent } from '../types.ts'
import { accountingScope, oauthClient, tokenCall, withTokens } from './tokens.ts'
import { quickbooksSettings, type QuickBooksSecrets, type QuickBooksSettings } from './schemas.ts'
import { describeIssues } from '../common.ts'

/**
 * Intuit's consent: its page (appcenter.intuit.com/connect/oauth2, or `baseUrl` + that path)
 * asks the admin to connect a company, then redirects with `code`, `state` and `realmId`. Intuit
 * documents no PKCE, so the challenge is left out; the state is Roster's.
 */
export const quickbooksConsent: Consent<QuickBooksSettings, QuickBooksSecrets> = {
  async authorizeUrl({ settings, clientId, redirectUri, state }) {
    // The secret is not needed to build the URL.
    const client = await oauthClient(settings, clientId, '', redirectUri)
    return client.use((c) => c.authorizeUri({ scope: accountingScope, state }))
  },

  async complete({ settings, clientId, clientSecret, redirectUri, query, signal }) {
    if (query.error) {
      const why = query.error === 'access_denied' ? 'the connection was not allowed' : query.error
      throw new SourceError('auth_revoked', why)
    }
    const code = query.code
    if (!code) throw new SourceError('bad_data', 'the answer has no authorization code')
    const company = quickbooksSettings.safeParse({ ...settings, realmId: query.realmId })
    if (!company.success) {
      throw new SourceError(
        'bad_data',
        `the answer names no company (${describeIssues(company.error)})`,
      )
    }
    const client = await oauthClient(settings, clientId, clientSecret, redirectUri)
    const callback = `?${new URLSearchParams({ code, state: query.state ?? '', realmId: company.data.realmId }).toString()}`
    const answer = await tokenCall(signal, () => client.use((c) => c.createToken(callback)))
    const secrets = withTokens({ clientId, clientSecret, refreshToken: code }, answer)
    return { settings: company.data, secrets }
  },
}
