import { z } from 'zod'

/** Xero's payloads as we read them: the fields we use, the rest passed through untouched. */

export const xeroSettings = z.strictObject({
  /** The organisation (tenant) synced; the only one the token reaches when left out. */
  tenantId: z.string().trim().min(1).optional(),
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'The base URL must be an http or https address.' })
    .optional(),
})
export type XeroSettings = z.infer<typeof xeroSettings>

export const xeroSecrets = z.strictObject({
  clientId: z.string().trim().min(1, 'Enter the client id of your Xero app.'),
  clientSecret: z.string().trim().min(1, 'Enter the client secret of your Xero app.'),
  /** Rotates on every use: the one stored is always the last Xero gave. */
  refreshToken: z.string().trim().min(1, 'Connect to Xero to get a refresh token.'),
  accessToken: z.string().min(1).optional(),
  /** When the access token expires, unix seconds. */
  expiresAt: z.number().optional(),
  /**
   * Which refresh token came with the access token (a hash): a refresh token given since (a
   * reconnection) makes the access token stale.
   */
  issuedWith: z.string().optional(),
  webhookKey: z.string().min(1).optional(),
})
export type XeroSecrets = z.infer<typeof xeroSecrets>

/** `POST /connect/token`. */
export const tokenSet = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
})
export const tokenError = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
})

/** `GET /connections`: the organisations the token reaches. */
export const xeroTenants = z.array(
  z.looseObject({
    id: z.string().optional(),
    tenantId: z.string().min(1),
    tenantType: z.string().optional(),
    tenantName: z.string().nullish(),
  }),
)

const text = z.string().nullish()

export const xeroPerson = z.looseObject({
  FirstName: text,
  LastName: text,
  EmailAddress: text,
  IncludeInEmails: z.boolean().optional(),
})

export const xeroAddress = z.looseObject({
  AddressType: z.string(),
  AddressLine1: text,
  AddressLine2: text,
  AddressLine3: text,
  AddressLine4: text,
  City: text,
  Region: text,
  PostalCode: text,
  Country: text,
  AttentionTo: text,
})

export const xeroPhone = z.looseObject({
  PhoneType: z.string(),
  PhoneNumber: text,
  PhoneAreaCode: text,
  PhoneCountryCode: text,
})

export const xeroContact = z.looseObject({
  ContactID: z.string().min(1),
  ContactNumber: text,
  AccountNumber: text,
  ContactStatus: z.string().optional(),
  Name: text,
  FirstName: text,
  LastName: text,
  EmailAddress: text,
  /** Each entry is read on its own, so one bad person does not cost the whole contact. */
  ContactPersons: z.array(z.unknown()).optional(),
  TaxNumber: text,
  Addresses: z.array(xeroAddress).optional(),
  Phones: z.array(xeroPhone).optional(),
  UpdatedDateUTC: z.string().optional(),
  IsSupplier: z.boolean().optional(),
  IsCustomer: z.boolean().optional(),
  DefaultCurrency: text,
})
export type XeroContact = z.infer<typeof xeroContact>

/** `GET /api.xro/2.0/Contacts`. */
export const xeroContacts = z.looseObject({
  Contacts: z.array(z.unknown()),
  pagination: z
    .looseObject({ page: z.number(), pageSize: z.number(), pageCount: z.number() })
    .optional(),
})

/** Xero's .NET JSON dates, `/Date(1718932539902+0000)/`, as milliseconds. */
export function xeroDate(value: string | undefined): number | null {
  const match = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value ?? '')
  return match?.[1] ? Number(match[1]) : null
}

/**
 * Where the next incremental run starts: contacts modified since `since` (unix seconds, the
 * If-Modified-Since header's resolution) except the versions in `seen` (contact id → its
 * UpdatedDateUTC in ms) already applied in that second. (Changes Xero does not date, like a
 * contact becoming a customer, are caught by the engine's daily full run.)
 */
export const changesCursor = z.strictObject({
  v: z.literal(1),
  since: z.number().int(),
  seen: z.record(z.string(), z.number()),
})
export type ChangesCursor = z.infer<typeof changesCursor>

/** Part-way through a full run: the next page to read. */
export const fullCursor = z.strictObject({
  v: z.literal(1),
  full: z.strictObject({ page: z.number().int().min(1), startedAt: z.number().int() }),
})
