import type { ConnectorDescriptor } from '../../../../contracts/sources.ts'
import { systemNames } from '../../systems.ts'
import { describeFields } from '../describe.ts'
import { chargebeeSecrets, chargebeeSettings } from './schemas.ts'

export const chargebeeDescriptor = {
  system: 'chargebee',
  // Every system's name is written once, in the contracts.
  label: systemNames.chargebee,
  auth: 'api_key',
  settings: describeFields(chargebeeSettings, {
    site: {
      label: 'Chargebee site',
      help: "The site's name, like acme-test for acme-test.chargebee.com.",
    },
    baseUrl: {
      label: 'Base URL',
      help: 'Only for a proxy or a test server standing in for Chargebee.',
      placeholder: 'https://…',
    },
  }),
  secrets: describeFields(chargebeeSecrets, {
    apiKey: {
      label: 'Chargebee API key',
      help: 'A full-access or read-only API key of the site.',
      masked: true,
    },
    webhookUsername: {
      label: 'Webhook username',
      help: 'The basic-authentication username set on the webhook in Chargebee.',
    },
    webhookPassword: {
      label: 'Webhook password',
      help: 'The basic-authentication password set on the webhook in Chargebee.',
      masked: true,
    },
  }),
  // Chargebee signs nothing: its webhooks carry HTTP Basic credentials.
  webhookHeader: 'authorization',
  contactRule:
    'The customer-level person is the main contact and each of its contacts an additional one; people without an email are left out.',
} satisfies ConnectorDescriptor
