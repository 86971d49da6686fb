import { SourceError, type Consent } from '../types.ts'
import { classify, oauth2, withSession } from './client.ts'
import { salesforceSettings, type SalesforceSecrets, type SalesforceSettings } from './schemas.ts'

/** Read access to data (`api`) and a refresh token (`refresh_token`). */
export const scopes = 'api refresh_token'

/**
 * Salesforce's web-server flow: its login page (production, sandbox, or `baseUrl`) asks the
 * user to allow access, then redirects with `code` and `state`; the code is exchanged with the
 * PKCE verifier for tokens and the instance URL.
 */
export const salesforceConsent: Consent<SalesforceSettings, SalesforceSecrets> = {
  async authorizeUrl({ settings, clientId, redirectUri, state, codeChallenge }) {
    const client = await oauth2(settings, clientId, '', redirectUri)
    return client.getAuthorizationUrl({
      scope: scopes,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    })
  },

  async complete({ settings, clientId, clientSecret, redirectUri, codeVerifier, query }) {
    if (query.error) {
      const why =
        query.error === 'access_denied'
          ? 'the connection was not allowed'
          : (query.error_description ?? query.error)
      throw new SourceError('auth_revoked', why)
    }
    const code = query.code
    if (!code) throw new SourceError('bad_data', 'the answer has no authorization code')
    const parsed = salesforceSettings.safeParse(settings)
    const given = parsed.success ? parsed.data : {}
    const client = await oauth2(given, clientId, clientSecret, redirectUri)
    let answer: unknown
    try {
      answer = await client.requestToken(code, { code_verifier: codeVerifier })
    } catch (error) {
      throw classify(error)
    }
    const secrets = withSession(given, { clientId, clientSecret, refreshToken: 'pending' }, answer)
    if (secrets.refreshToken === 'pending') {
      throw new SourceError(
        'auth_revoked',
        'Salesforce gave no refresh token: add the refresh_token scope to the connected app',
      )
    }
    return { settings: given, secrets }
  },
}
