import type { ConnectorDescriptor } from '../../../../contracts/sources.ts'
import { systemNames } from '../../systems.ts'
import { describeFields } from '../describe.ts'
import { xeroSecrets, xeroSettings } from './schemas.ts'

export const xeroDescriptor = {
  system: 'xero',
  label: systemNames.xero,
  auth: 'oauth2_authorization_code',
  settings: describeFields(xeroSettings, {
    tenantId: {
      label: 'Xero organisation (tenant id)',
      help: 'The organisation to sync; chosen when you allow access. Needed when the access reaches several organisations.',
      fromConsent: true,
    },
    baseUrl: {
      label: 'Base URL',
      help: 'Only for a proxy or a test server standing in for Xero.',
      placeholder: 'https://…',
    },
  }),
  secrets: describeFields(xeroSecrets, {
    clientId: {
      label: 'Client id',
      help: 'Of your Xero app (developer.xero.com → My Apps), whose redirect URI is Roster’s /oauth/callback/xero.',
    },
    clientSecret: {
      label: 'Client secret',
      help: 'Of the same Xero app.',
      masked: true,
    },
    refreshToken: {
      label: 'Refresh token',
      help: 'Given by Xero when access is allowed; Roster stores each new one Xero gives.',
      masked: true,
      fromConsent: true,
    },
    accessToken: {
      label: 'Access token',
      help: 'Kept by Roster between runs (it lasts 30 minutes).',
      masked: true,
      fromConsent: true,
    },
    expiresAt: {
      label: 'Access token expiry',
      help: 'When the access token expires, in Unix seconds; kept by Roster.',
      fromConsent: true,
    },
    issuedWith: {
      label: 'Access token origin',
      help: 'Which refresh token the access token came with; kept by Roster.',
      fromConsent: true,
    },
    webhookKey: {
      label: 'Webhook key',
      help: 'The key Xero shows for your app’s webhook (x-xero-signature).',
      masked: true,
    },
  }),
  webhookHeader: 'x-xero-signature',
  contactRule:
    'Only contacts that are customers: the contact’s own person is the main contact and each of its contact persons an additional one; people without an email are left out.',
} satisfies ConnectorDescriptor
