import type { Connector } from '../types.ts'
import { pennylaneClient } from './client.ts'
import { pennylaneDescriptor } from './descriptor.ts'
import { listAll, listChanges } from './list.ts'
import {
  pennylaneSecrets,
  pennylaneSettings,
  type PennylaneSecrets,
  type PennylaneSettings,
} from './schemas.ts'

export const pennylaneConnector: Connector<PennylaneSettings, PennylaneSecrets> = {
  descriptor: pennylaneDescriptor,
  settings: pennylaneSettings,
  secrets: pennylaneSecrets,

  async check(settings, secrets, signal) {
    // Listing one customer proves the token works and has a customers scope.
    await pennylaneClient(settings, secrets, signal).get('/customers', { limit: '1' })
  },

  list({ settings, secrets, cursor, mode, signal }) {
    const client = pennylaneClient(settings, secrets, signal)
    return mode === 'full' ? listAll(client, cursor, signal) : listChanges(client, cursor, signal)
  },

  /**
   * Pennylane's webhooks are in beta, carry no customer events and their signature is not
   * documented: no call can be proven, so every one is refused. Roster follows the changelog on
   * its schedule instead, as Pennylane advises.
   */
}
