import type { ConnectorDescriptor } from '../../../../contracts/sources.ts'
import { systemNames } from '../../systems.ts'
import { describeFields } from '../describe.ts'
import { quickbooksGivenSecrets, quickbooksSettings } from './schemas.ts'

export const quickbooksDescriptor = {
  system: 'quickbooks',
  // Every system's name is written once, in the contracts.
  label: systemNames.quickbooks,
  auth: 'oauth2_authorization_code',
  settings: describeFields(quickbooksSettings, {
    realmId: {
      label: 'Company id (realm id)',
      help: 'The QuickBooks company to sync: given when access is allowed (realmId).',
      fromConsent: true,
    },
    environment: {
      label: 'Environment',
      help: 'production (the default) or sandbox, for a developer sandbox company.',
      placeholder: 'production',
    },
    baseUrl: {
      label: 'Base URL',
      help: 'Only for a proxy or a test server standing in for QuickBooks and its sign-in.',
      placeholder: 'https://…',
    },
  }),
  // The access token Roster keeps after each refresh is not something an admin enters.
  secrets: describeFields(quickbooksGivenSecrets, {
    clientId: {
      label: 'Client id',
      help: "The client id of Roster's app in the Intuit developer portal (Keys & credentials).",
    },
    clientSecret: {
      label: 'Client secret',
      help: 'The client secret shown beside the client id.',
      masked: true,
    },
    refreshToken: {
      label: 'Refresh token',
      help: 'A refresh token of the company; Roster replaces it with each new one QuickBooks gives.',
      masked: true,
      fromConsent: true,
    },
    webhookVerifierToken: {
      label: 'Webhook verifier token',
      help: "The verifier token shown on the app's Webhooks page in the Intuit developer portal.",
      masked: true,
    },
  }),
  webhookHeader: 'intuit-signature',
  contactRule:
    'QuickBooks customers have no contacts: each address in the email field (comma- or semicolon-separated) becomes a contact, the first the main one.',
} satisfies ConnectorDescriptor
