import type { ConnectorDescriptor } from '../../../../contracts/sources.ts'
import { systemNames } from '../../systems.ts'
import { describeFields } from '../describe.ts'
import { sellsySecrets, sellsySettings } from './schemas.ts'

export const sellsyDescriptor: ConnectorDescriptor = {
  system: 'sellsy',
  label: systemNames.sellsy,
  auth: 'oauth2_client_credentials',
  settings: describeFields(sellsySettings, {
    baseUrl: {
      label: 'Base URL',
      help: 'Only for a proxy or a test server standing in for Sellsy (its API and its login).',
      placeholder: 'https://…',
    },
  }),
  secrets: describeFields(sellsySecrets, {
    clientId: {
      label: 'Client id',
      help: 'Of a private API access, created in Sellsy under Settings → Developer portal → API V2, with companies, individuals and contacts readable.',
    },
    clientSecret: {
      label: 'Client secret',
      help: 'Shown by Sellsy next to the client id when the API access is created.',
      masked: true,
    },
  }),
  // Sellsy does not sign its webhooks (see verifyWebhook): no header proves one.
  // Sellsy does not sign its webhooks: changes come with the scheduled syncs and Sync now.
  webhookHeader: null,
  contactRule:
    "A company's main contact is the main contact and its other contacts additional ones (an individual is its own main contact); archived contacts and people without an email are left out.",
}
