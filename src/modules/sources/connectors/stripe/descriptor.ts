import type { ConnectorDescriptor } from '../../../../contracts/sources.ts'
import { systemNames } from '../../systems.ts'
import { describeFields } from '../describe.ts'
import { stripeSecrets, stripeSettings } from './schemas.ts'

export const stripeDescriptor = {
  system: 'stripe',
  // Every system's name is written once, in the contracts.
  label: systemNames.stripe,
  auth: 'api_key',
  settings: describeFields(stripeSettings, {
    baseUrl: {
      label: 'Base URL',
      help: 'Only for a proxy or a test server standing in for Stripe.',
      placeholder: 'https://…',
    },
  }),
  secrets: describeFields(stripeSecrets, {
    apiKey: {
      label: 'Stripe API key',
      help: 'A secret key (sk_…) or a restricted key that may read customers and events.',
      masked: true,
    },
    webhookSecret: {
      label: 'Webhook signing secret',
      help: "whsec_…, shown by Stripe on the webhook endpoint's page.",
      masked: true,
    },
  }),
  webhookHeader: 'stripe-signature',
  contactRule:
    "Each customer's own email, name and phone make its one contact; shipping and card holder names never become contacts.",
} satisfies ConnectorDescriptor
