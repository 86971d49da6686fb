import type { ConnectorDescriptor } from '../../../../contracts/sources.ts'
import { systemNames } from '../../systems.ts'
import { describeFields } from '../describe.ts'
import { pennylaneSecrets, pennylaneSettings } from './schemas.ts'

export const pennylaneDescriptor: ConnectorDescriptor = {
  system: 'pennylane',
  // Every system's name is written once, in the contracts.
  label: systemNames.pennylane,
  auth: 'api_key',
  settings: describeFields(pennylaneSettings, {
    baseUrl: {
      label: 'Base URL',
      help: 'Only for a proxy or a test server standing in for Pennylane.',
      placeholder: 'https://…',
    },
  }),
  secrets: describeFields(pennylaneSecrets, {
    apiToken: {
      label: 'Pennylane API token',
      help: 'A Company API token (Settings → Connectivity → Developers) with the customers:readonly scope.',
      masked: true,
    },
  }),
  // Pennylane sends no customer webhooks (its webhooks are in beta, without customer events and
  // with no documented signature): changes come from its changelog and every call is refused.
  // The header named is only hidden from the logs.
  // Pennylane sends no signed customer webhooks: its changelog is followed on schedule.
  webhookHeader: null,
  contactRule:
    'Each address of the customer\'s email list ("Email address (optional)") becomes a contact, the first one main; companies and individuals alike.',
}
