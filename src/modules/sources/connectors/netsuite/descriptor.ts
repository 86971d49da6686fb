import type { ConnectorDescriptor } from '../../../../contracts/sources.ts'
import { systemNames } from '../../systems.ts'
import { describeFields } from '../describe.ts'
import { netsuiteSecrets, netsuiteSettings } from './schemas.ts'

export const netsuiteDescriptor: ConnectorDescriptor = {
  system: 'netsuite',
  label: systemNames.netsuite,
  auth: 'oauth1_token',
  settings: describeFields(netsuiteSettings, {
    accountId: {
      label: 'Account ID',
      help: 'Setup > Company > Company Information: like 1234567, or 1234567_SB1 for a sandbox.',
      placeholder: '1234567',
    },
    baseUrl: {
      label: 'Base URL',
      help: 'Only for a proxy or a test server standing in for NetSuite.',
      placeholder: 'https://…',
    },
  }),
  secrets: describeFields(netsuiteSecrets, {
    consumerKey: {
      label: 'Consumer key',
      help: 'Shown once when the integration record (token-based authentication) is saved.',
      masked: true,
    },
    consumerSecret: {
      label: 'Consumer secret',
      help: 'Shown with the consumer key on the integration record.',
      masked: true,
    },
    tokenId: {
      label: 'Token ID',
      help: 'Shown once when the access token is created for the integration, user and role.',
      masked: true,
    },
    tokenSecret: {
      label: 'Token secret',
      help: 'Shown with the token ID on the access token.',
      masked: true,
    },
  }),
  // NetSuite sends no webhooks: changes are read on a schedule and with Sync now.
  webhookHeader: null,
  contactRule:
    "The customer's own email is the main contact and the contacts of that same customer related to it are additional ones; contacts of another company, inactive ones and people without an email are left out.",
}
