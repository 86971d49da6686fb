import { z } from 'zod'

/** QuickBooks Online's payloads as we read them: the fields we use, the rest passed through. */

const baseUrl = z
  .url({ protocol: /^https?$/, error: 'The base URL must be an http or https address.' })
  .refine((value) => ['', '/'].includes(new URL(value).pathname) && !new URL(value).search, {
    error:
      'The QuickBooks base URL is a server address only, like http://localhost:4010 (no path).',
  })

export const quickbooksSettings = z.strictObject({
  realmId: z
    .string()
    .trim()
    .regex(
      /^\d+$/,
      'The company id (realm id) is a number, shown in QuickBooks under Settings → Additional info.',
    ),
  environment: z.enum(['production', 'sandbox']).optional(),
  baseUrl: baseUrl.optional(),
})
export type QuickBooksSettings = z.infer<typeof quickbooksSettings>

/** What an admin gives (and the connect form shows). */
export const quickbooksGivenSecrets = z.strictObject({
  clientId: z.string().trim().min(1, "Enter the app's client id."),
  clientSecret: z.string().trim().min(1, "Enter the app's client secret."),
  refreshToken: z.string().trim().min(1, 'Enter a refresh token of the company.'),
  webhookVerifierToken: z.string().trim().min(1).optional(),
})

/**
 * What Roster stores: the given secrets and the access token of the last refresh, bound to the
 * refresh token it came with (`accessTokenFor`, a fingerprint), so a refresh token entered again
 * by an admin is never paired with an access token of the old one.
 */
export const quickbooksSecrets = quickbooksGivenSecrets.extend({
  accessToken: z.string().min(1).optional(),
  accessTokenExpiresAt: z.iso.datetime({ offset: true }).optional(),
  accessTokenFor: z.string().min(1).optional(),
})
export type QuickBooksSecrets = z.infer<typeof quickbooksSecrets>

/** The token endpoint's answer (authorization code and refresh token grants). */
export const tokenResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().positive(),
  x_refresh_token_expires_in: z.number().int().optional(),
})

/** The token endpoint's refusal (`invalid_grant`, `invalid_client`). */
export const tokenError = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
})

const text = z.string().nullish()
const ref = z.looseObject({ value: z.string(), name: z.string().optional() }).nullish()
const freeForm = z.looseObject({ FreeFormNumber: text }).nullish()

export const quickbooksAddress = z.looseObject({
  Line1: text,
  Line2: text,
  Line3: text,
  Line4: text,
  Line5: text,
  City: text,
  CountrySubDivisionCode: text,
  PostalCode: text,
  Country: text,
})

export const quickbooksCustomer = z.looseObject({
  Id: z.string().min(1),
  SyncToken: z.string().optional(),
  DisplayName: text,
  CompanyName: text,
  GivenName: text,
  FamilyName: text,
  PrimaryEmailAddr: z.looseObject({ Address: text }).nullish(),
  PrimaryPhone: freeForm,
  Mobile: freeForm,
  BillAddr: quickbooksAddress.nullish(),
  CurrencyRef: ref,
  PrimaryTaxIdentifier: text,
  Active: z.boolean().optional(),
  Job: z.boolean().optional(),
  ParentRef: ref,
  MetaData: z
    .looseObject({ LastUpdatedTime: z.iso.datetime({ offset: true, local: false }) })
    .optional(),
})
export type QuickBooksCustomer = z.infer<typeof quickbooksCustomer>

/** `GET /v3/company/{realmId}/query`: one page of customers (none: an empty QueryResponse). */
export const queryResponse = z.looseObject({
  QueryResponse: z.looseObject({
    Customer: z.array(z.unknown()).optional(),
    startPosition: z.number().int().optional(),
    maxResults: z.number().int().optional(),
  }),
  time: z.string().optional(),
})

const faultError = z.looseObject({
  Message: z.string().optional(),
  Detail: z.string().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  detail: z.string().optional(),
})

/** QuickBooks's error body; authentication faults come in lower case (`fault.error[]`). */
export const faultBody = z.looseObject({
  Fault: z.looseObject({ Error: z.array(faultError), type: z.string().optional() }).optional(),
  fault: z.looseObject({ error: z.array(faultError), type: z.string().optional() }).optional(),
})

/**
 * Where the next incremental run starts: customers updated at or after `updatedAt` (unix
 * seconds), except the ids in `seen` at the SyncToken already applied in that second.
 */
export const changesCursor = z.strictObject({
  v: z.literal(1),
  updatedAt: z.number().int(),
  seen: z.record(z.string(), z.string()),
})
export type ChangesCursor = z.infer<typeof changesCursor>

/** Part-way through a full run: the next STARTPOSITION, and when the run began. */
export const fullCursor = z.strictObject({
  v: z.literal(1),
  full: z.strictObject({ position: z.number().int().positive(), startedAt: z.number().int() }),
})
