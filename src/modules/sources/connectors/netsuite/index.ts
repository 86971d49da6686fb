import { SourceError, type Connector } from '../types.ts'
import { NetSuiteClient } from './client.ts'
import { netsuiteDescriptor } from './descriptor.ts'
import { listAll, listChanges } from './list.ts'
import {
  netsuiteSecrets,
  netsuiteSettings,
  type NetSuiteSecrets,
  type NetSuiteSettings,
} from './schemas.ts'

export const netsuiteConnector: Connector<NetSuiteSettings, NetSuiteSecrets> = {
  descriptor: netsuiteDescriptor,
  settings: netsuiteSettings,
  secrets: netsuiteSecrets,

  async check(settings, secrets, signal) {
    // One customer of the record service proves the tokens, the account and the role's access.
    const client = new NetSuiteClient(settings, secrets, signal)
    try {
      await client.records('customer', { limit: '1' })
    } catch (error) {
      if (!(error instanceof SourceError) || error.kind !== 'not_found') throw error
      throw new SourceError(
        'not_found',
        `there is no REST web services endpoint for account "${settings.accountId}" (turn on REST Web Services under Setup > Company > Enable Features > SuiteCloud)`,
        { cause: error },
      )
    }
  },

  list({ settings, secrets, cursor, mode, signal }) {
    const client = new NetSuiteClient(settings, secrets, signal)
    return mode === 'full' ? listAll(client, cursor, signal) : listChanges(client, cursor, signal)
  },
}
