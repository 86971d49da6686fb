import type { ConnectorDescriptor } from '../../../../contracts/sources.ts'
import { systemNames } from '../../systems.ts'
import { describeFields } from '../describe.ts'
import { defaultRoleTable, salesforceGivenSecrets, salesforceSettings } from './schemas.ts'

const defaults = Object.entries(defaultRoleTable)
  .map(([role, roster]) => `${role}=${roster}`)
  .join('; ')

export const salesforceDescriptor = {
  system: 'salesforce',
  label: systemNames.salesforce,
  auth: 'oauth2_authorization_code',
  feeds: 'contacts',
  settings: describeFields(salesforceSettings, {
    environment: {
      label: 'Environment',
      help: 'production (login.salesforce.com, the default) or sandbox (test.salesforce.com).',
      placeholder: 'production',
    },
    baseUrl: {
      label: 'Base URL',
      help: 'Only for a proxy or a test server standing in for Salesforce: its sign-in and its data.',
      placeholder: 'https://…',
    },
    matchField: {
      label: 'Account field to match',
      help: 'The Account field that holds the customer ID of the billing system (default AccountNumber; e.g. Customer_ID__c). Record ids of 15 and 18 characters are the same.',
      placeholder: 'AccountNumber',
    },
    customerField: {
      label: 'Customer field to match',
      help: 'The customer field the Account field must equal: externalId (the billing customer ID, the default), accountingCode or vatNumber.',
      placeholder: 'externalId',
    },
    mainContact: {
      label: 'Main contact',
      help: 'oldest: the oldest contact of the account (the default); primary_role: the contact whose account contact role is primary, else the oldest.',
      placeholder: 'oldest',
    },
    roles: {
      label: 'Roles',
      help: `Account contact roles as Roster roles, "Salesforce role=ROLE" separated by ";" (ACCOUNTING, SALES, PURCHASER, PAYER). Added to the defaults: ${defaults}.`,
      placeholder: 'Economic Buyer=PAYER; Influencer=SALES',
    },
  }),
  secrets: describeFields(salesforceGivenSecrets, {
    clientId: {
      label: 'Consumer key',
      help: "The consumer key of Roster's connected app (Setup → App Manager).",
    },
    clientSecret: {
      label: 'Consumer secret',
      help: 'The consumer secret shown beside the consumer key.',
      masked: true,
    },
    refreshToken: {
      label: 'Refresh token',
      help: 'A refresh token of the Salesforce user Roster reads as (scopes api and refresh_token).',
      masked: true,
      fromConsent: true,
    },
  }),
  webhookHeader: null,
  contactRule:
    "Salesforce is a contact source: each Account matched to a customer by its identifier gives that customer its Contacts, replacing the billing system's (main: the oldest; roles from account contact roles; Title as job title; contacts without an email kept but not reachable), and its owner as account manager.",
} satisfies ConnectorDescriptor
