import { z } from 'zod'

/** Zuora's payloads as we read them: the fields we use, the rest passed through untouched. */

/**
 * The REST hosts of Zuora's data centres (one tenant lives in one). The OAuth token endpoint
 * is on the same host as the API.
 */
export const zuoraHosts = {
  us: 'https://rest.zuora.com',
  'us-cloud-1': 'https://rest.na.zuora.com',
  'us-sandbox': 'https://rest.apisandbox.zuora.com',
  'us-sandbox-cloud-1': 'https://rest.sandbox.na.zuora.com',
  'us-developer': 'https://rest.test.zuora.com',
  eu: 'https://rest.eu.zuora.com',
  'eu-sandbox': 'https://rest.sandbox.eu.zuora.com',
  'eu-developer': 'https://rest.test.eu.zuora.com',
  apac: 'https://rest.ap.zuora.com',
} as const
export type ZuoraEnvironment = keyof typeof zuoraHosts
const environments = Object.keys(zuoraHosts) as [ZuoraEnvironment, ...ZuoraEnvironment[]]

export const zuoraSettings = z.strictObject({
  environment: z
    .enum(environments, {
      error: `The Zuora environment is one of ${environments.join(', ')}.`,
    })
    .optional(),
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'The base URL must be an http or https address.' })
    .optional(),
})
export type ZuoraSettings = z.infer<typeof zuoraSettings>

/** What an admin gives: the OAuth client, and the callout's Basic credentials. */
export const zuoraCredentials = z.strictObject({
  clientId: z.string().trim().min(1, 'Enter the client ID of the Zuora OAuth client.'),
  clientSecret: z.string().trim().min(1, 'Enter the client secret of the Zuora OAuth client.'),
  calloutUsername: z.string().min(1).optional(),
  calloutPassword: z.string().min(1).optional(),
})

/**
 * The stored secrets: the credentials, plus the access token Roster got with them and when it
 * ends (ISO time), kept so a run or a restarted process reuses it instead of asking for another.
 */
export const zuoraSecrets = zuoraCredentials.extend({
  accessToken: z.string().min(1).optional(),
  accessTokenExpiresAt: z.iso.datetime({ offset: true }).optional(),
  /** A digest of the client the token was issued to: new credentials never use an old token. */
  accessTokenClient: z.string().min(1).optional(),
})
export type ZuoraSecrets = z.infer<typeof zuoraSecrets>

/** `POST /oauth/token`. */
export const zuoraToken = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().positive(),
})

/** Zuora's error bodies: the v1 `reasons[]`, the object query's `message`, OAuth's `error`. */
export const zuoraErrorBody = z.looseObject({
  message: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
  reasons: z.array(z.looseObject({ code: z.unknown().optional(), message: z.string() })).optional(),
})

const text = z.string().nullish()

export const zuoraContact = z.looseObject({
  id: z.string().min(1),
  accountId: z.string().min(1).nullish(),
  firstName: text,
  lastName: text,
  nickName: text,
  workEmail: text,
  personalEmail: text,
  workPhone: text,
  mobilePhone: text,
  homePhone: text,
  otherPhone: text,
  address1: text,
  address2: text,
  city: text,
  state: text,
  postalCode: text,
  zipCode: text,
  country: text,
  createdDate: text,
  updatedDate: text,
})
export type ZuoraContact = z.infer<typeof zuoraContact>

export const zuoraAccount = z.looseObject({
  id: z.string().min(1),
  name: z.string().trim().min(1, 'the account has no name'),
  accountNumber: text,
  status: z.string().optional(),
  currency: text,
  vATId: text,
  billToId: text,
  soldToId: text,
  /** Expanded Bill To and Sold To; read on their own, with the account's other contacts. */
  billTo: z.unknown().optional(),
  soldTo: z.unknown().optional(),
  updatedDate: text,
})
export type ZuoraAccount = z.infer<typeof zuoraAccount>

/** Any object query list: `data`, and `nextPage` while there is more. */
export const zuoraList = z.looseObject({
  data: z.array(z.unknown()),
  nextPage: z.string().min(1).nullish(),
})

/** One stream's position: records updated at or after `at`, except the versions in `seen`. */
const stream = z.strictObject({
  at: z.number().int(),
  /** id → digest of the record as applied at that second (Zuora has no version number). */
  seen: z.record(z.string(), z.string()),
})
export type StreamPosition = z.infer<typeof stream>

/** Where the next incremental run starts: accounts and contacts each have their high-water mark. */
export const changesCursor = z.strictObject({
  v: z.literal(1),
  accounts: stream,
  contacts: stream,
})
export type ChangesCursor = z.infer<typeof changesCursor>

/** Part-way through a full run: Zuora's `nextPage`, and when the run began (unix seconds). */
export const fullCursor = z.strictObject({
  v: z.literal(1),
  full: z.strictObject({ nextPage: z.string(), startedAt: z.number().int() }),
})
