import { z } from 'zod'
import { contactRoles, type ContactRole } from '../../../../contracts/fields.ts'
import { matchableCustomerFields } from '../types.ts'

/** Salesforce's payloads as we read them: the fields we use, the rest passed through. */

const baseUrl = z
  .url({ protocol: /^https?$/, error: 'The base URL must be an http or https address.' })
  .refine((value) => ['', '/'].includes(new URL(value).pathname) && !new URL(value).search, {
    error:
      'The Salesforce base URL is a server address only, like http://localhost:4020 (no path).',
  })

/** The roles Salesforce's standard AccountContactRole picklist offers, as Roster's roles. */
export const defaultRoleTable: Record<string, ContactRole> = {
  'Economic Buyer': 'PAYER',
  'Economic Decision Maker': 'PAYER',
  'Decision Maker': 'PURCHASER',
  'Technical Buyer': 'PURCHASER',
  Accounting: 'ACCOUNTING',
  'Accounts Payable': 'ACCOUNTING',
  Billing: 'ACCOUNTING',
  Finance: 'ACCOUNTING',
  Sales: 'SALES',
}

const rolePair = /^\s*([^=;]+?)\s*=\s*([A-Za-z]+)\s*$/

/** `Economic Buyer=PAYER; Influencer=SALES`: the roles an admin maps, the defaults for the rest. */
export function roleTable(text: string | undefined): Record<string, ContactRole> {
  const table = { ...defaultRoleTable }
  for (const pair of (text ?? '').split(';')) {
    const match = rolePair.exec(pair)
    if (!match) continue
    const role = match[2]?.toUpperCase() as ContactRole
    if (match[1]) table[match[1]] = role
  }
  return table
}

const roles = z
  .string()
  .trim()
  .max(2000)
  .refine(
    (text) =>
      text === '' ||
      text.split(';').every((pair) => {
        if (pair.trim() === '') return true
        const match = rolePair.exec(pair)
        return (
          match !== null &&
          (contactRoles as readonly string[]).includes(match[2]?.toUpperCase() ?? '')
        )
      }),
    {
      error: `Write the roles as "Salesforce role=ROLE" pairs separated by ";", each ROLE one of ${contactRoles.join(', ')} (e.g. "Economic Buyer=PAYER; Influencer=SALES").`,
    },
  )

export const salesforceSettings = z.strictObject({
  environment: z
    .enum(['production', 'sandbox'], { error: 'The environment is production or sandbox.' })
    .optional(),
  baseUrl: baseUrl.optional(),
  matchField: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z][A-Za-z0-9_]{0,79}$/,
      'The match field is the API name of an Account field, like AccountNumber or Customer_ID__c.',
    )
    .optional(),
  customerField: z
    .enum(matchableCustomerFields, {
      error: `The customer field is one of ${matchableCustomerFields.join(', ')}.`,
    })
    .optional(),
  mainContact: z
    .enum(['oldest', 'primary_role'], {
      error: 'The main contact is "oldest" (the default) or "primary_role".',
    })
    .optional(),
  roles: roles.optional(),
})
export type SalesforceSettings = z.infer<typeof salesforceSettings>

/** What an admin gives (and the connect form shows). */
export const salesforceGivenSecrets = z.strictObject({
  clientId: z.string().trim().min(1, "Enter the connected app's consumer key."),
  clientSecret: z.string().trim().min(1, "Enter the connected app's consumer secret."),
  refreshToken: z.string().trim().min(1, 'Enter a refresh token of the Salesforce user.'),
})

/**
 * What Roster stores: the given secrets and the session of the last refresh: its access token,
 * the instance its calls go to, when it was issued, and the refresh token it came with.
 */
export const salesforceSecrets = salesforceGivenSecrets.extend({
  accessToken: z.string().min(1).optional(),
  instanceUrl: z.string().min(1).optional(),
  issuedAt: z.iso.datetime({ offset: true }).optional(),
  accessTokenFor: z.string().min(1).optional(),
})
export type SalesforceSecrets = z.infer<typeof salesforceSecrets>

/** The token endpoint's answer (authorization code and refresh token grants). */
export const tokenResponse = z.looseObject({
  access_token: z.string().min(1),
  instance_url: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  id: z.string().optional(),
  token_type: z.string().optional(),
  issued_at: z.string().optional(),
})

const attributes = z.looseObject({ type: z.string(), url: z.string().optional() }).optional()

/** A query's answer: `done`, `nextRecordsUrl` when not, and the records. */
export const queryResult = <T extends z.ZodType>(record: T) =>
  z.looseObject({
    totalSize: z.number().int(),
    done: z.boolean(),
    nextRecordsUrl: z.string().optional(),
    records: z.array(record),
  })

export const sfContact = z.looseObject({
  attributes,
  Id: z.string(),
  FirstName: z.string().nullish(),
  LastName: z.string().nullish(),
  Email: z.string().nullish(),
  Phone: z.string().nullish(),
  MobilePhone: z.string().nullish(),
  Title: z.string().nullish(),
  HasOptedOutOfEmail: z.boolean().nullish(),
  CreatedDate: z.string(),
  SystemModstamp: z.string().nullish(),
})
export type SfContact = z.infer<typeof sfContact>

export const sfRole = z.looseObject({
  attributes,
  ContactId: z.string(),
  Role: z.string().nullish(),
  IsPrimary: z.boolean().nullish(),
  SystemModstamp: z.string().nullish(),
})
export type SfRole = z.infer<typeof sfRole>

export const sfAccount = z.looseObject({
  attributes,
  Id: z.string(),
  Name: z.string().nullish(),
  IsDeleted: z.boolean().nullish(),
  Owner: z.looseObject({ Email: z.string().nullish(), IsActive: z.boolean().nullish() }).nullish(),
  SystemModstamp: z.string().nullish(),
  Contacts: queryResult(sfContact).nullish(),
  AccountContactRoles: queryResult(sfRole).nullish(),
})
export type SfAccount = z.infer<typeof sfAccount>

/** A changed record of the incremental queries: which account it belongs to, and when. */
export const sfChange = z.looseObject({
  Id: z.string(),
  AccountId: z.string().nullish(),
  Name: z.string().nullish(),
  IsDeleted: z.boolean().nullish(),
  SystemModstamp: z.string(),
})

/** `GET /sobjects/Account/describe`: the fields the match field is checked against. */
export const describeResult = z.looseObject({
  fields: z.array(z.looseObject({ name: z.string(), type: z.string().optional() })),
})
