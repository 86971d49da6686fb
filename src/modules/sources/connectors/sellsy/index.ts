import type { Connector } from '../types.ts'
import { SellsyClient } from './client.ts'
import { sellsyDescriptor } from './descriptor.ts'
import { listAll, listChanges } from './list.ts'
import {
  sellsyList,
  sellsySecrets,
  sellsySettings,
  type SellsySecrets,
  type SellsySettings,
} from './schemas.ts'

export const sellsyConnector: Connector<SellsySettings, SellsySecrets> = {
  descriptor: sellsyDescriptor,
  settings: sellsySettings,
  secrets: sellsySecrets,

  async check(settings, secrets, signal) {
    // A token, then one company: the access exists and may read companies.
    const client = new SellsyClient(settings, secrets, signal)
    await client.call(sellsyList, '/companies', { query: new URLSearchParams({ limit: '1' }) })
  },

  list({ settings, secrets, cursor, mode, signal }) {
    const client = new SellsyClient(settings, secrets, signal)
    return mode === 'full' ? listAll(client, cursor) : listChanges(client, cursor)
  },

  /**
   * Sellsy's webhooks carry no signature nor credentials Roster could check (none is documented
   * for API v2), so a call cannot be told from anyone's: every one is refused, and Sellsy's
   * changes come with the scheduled incremental syncs.
   */
}
