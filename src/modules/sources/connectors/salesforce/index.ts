import { listWith } from '../common.ts'
import { SourceError, type Connector } from '../types.ts'
import { refreshSession, salesforceApi, usableSession } from './client.ts'
import { salesforceConsent } from './consent.ts'
import { salesforceDescriptor } from './descriptor.ts'
import { accountQuery, listAll, listChanges } from './list.ts'
import {
  describeResult,
  queryResult,
  sfAccount,
  salesforceSecrets,
  salesforceSettings,
  type SalesforceSecrets,
  type SalesforceSettings,
} from './schemas.ts'

export const salesforceConnector: Connector<SalesforceSettings, SalesforceSecrets> = {
  descriptor: salesforceDescriptor,
  settings: salesforceSettings,
  secrets: salesforceSecrets,

  /**
   * The match field must be a field of Account (checked on the Account's description, so a
   * typo is named), and one account with its contacts must be readable.
   */
  async check(settings, secrets, signal) {
    const api = await salesforceApi(settings, secrets, signal)
    const field = settings.matchField ?? 'AccountNumber'
    const described = await api.get('/sobjects/Account/describe', describeResult)
    if (!described.fields.some((f) => f.name.toLowerCase() === field.toLowerCase())) {
      throw new SourceError(
        'bad_data',
        `Account has no field "${field}"; set matchField to the API name of an Account field (e.g. AccountNumber or Customer_ID__c)`,
      )
    }
    await api.query(`${accountQuery(settings, '')} LIMIT 1`, queryResult(sfAccount))
  },

  list({ settings, secrets, cursor, mode, signal }) {
    return listWith(
      () => salesforceApi(settings, secrets, signal),
      (api) =>
        mode === 'full' ? listAll(api, settings, cursor) : listChanges(api, settings, cursor),
    )
  },

  /** A new session when the stored one is old or was not issued for this refresh token. */
  async refreshSecrets(settings, secrets) {
    if (usableSession(secrets) !== null) return null
    return refreshSession(settings, secrets)
  },

  matching(settings) {
    const field = settings.matchField ?? 'AccountNumber'
    return { customerField: settings.customerField ?? 'externalId', recordIds: /Id$/.test(field) }
  },

  consent: salesforceConsent,
}
