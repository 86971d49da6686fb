import type { ConnectorDescriptor } from '../../../../contracts/sources.ts'
import { systemNames } from '../../systems.ts'
import { describeFields } from '../describe.ts'
import { zuoraCredentials, zuoraHosts, zuoraSettings } from './schemas.ts'

export const zuoraDescriptor = {
  system: 'zuora',
  // Every system's name is written once, in the contracts.
  label: systemNames.zuora,
  auth: 'oauth2_client_credentials',
  settings: describeFields(zuoraSettings, {
    environment: {
      label: 'Zuora environment',
      help: `Where the tenant lives: ${Object.keys(zuoraHosts).join(', ')}. Empty means us (rest.zuora.com).`,
      placeholder: 'us',
    },
    baseUrl: {
      label: 'Base URL',
      help: 'Only for a proxy or a test server standing in for Zuora (API and /oauth/token).',
      placeholder: 'https://…',
    },
  }),
  // The access token Roster obtains is stored with these, never typed by anyone.
  secrets: describeFields(zuoraCredentials, {
    clientId: {
      label: 'Client ID',
      help: 'Of an OAuth client created in Zuora (Settings → Administration → Manage Users → the user → OAuth Clients).',
    },
    clientSecret: {
      label: 'Client secret',
      help: 'Shown once by Zuora when the OAuth client is created.',
      masked: true,
    },
    calloutUsername: {
      label: 'Callout username',
      help: 'The Basic authentication user name of the callout notification (with preemptive authentication on).',
    },
    calloutPassword: {
      label: 'Callout password',
      help: 'The Basic authentication password of the callout notification.',
      masked: true,
    },
  }),
  // Zuora's callouts carry HTTP Basic credentials set on the notification.
  webhookHeader: 'authorization',
  contactRule:
    'Every contact of the account is imported; the Bill To contact is the main one, a Sold To that is the same person is not repeated, and people without an email are left out.',
} satisfies ConnectorDescriptor
