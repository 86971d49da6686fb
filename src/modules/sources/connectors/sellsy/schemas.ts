import { z } from 'zod'

/** Sellsy's payloads (API v2) as we read them: the fields we use, the rest passed through. */

export const sellsySettings = z.strictObject({
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'The base URL must be an http or https address.' })
    .optional(),
})
export type SellsySettings = z.infer<typeof sellsySettings>

export const sellsySecrets = z.strictObject({
  clientId: z.string().trim().min(1, 'Enter the client id of the Sellsy API access.'),
  clientSecret: z.string().trim().min(1, 'Enter the client secret of the Sellsy API access.'),
})
export type SellsySecrets = z.infer<typeof sellsySecrets>

/** `POST /oauth2/access-tokens` (client credentials). */
export const sellsyToken = z.looseObject({
  token_type: z.string().optional(),
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
})

/** Sellsy's error body: `{ error: { code, message, context, details } }`. */
export const sellsyError = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    message: z.string().optional(),
  }),
})

/** The token endpoint's refusal, OAuth2's own shape. */
export const oauthError = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
  message: z.string().optional(),
})

const text = z.string().nullish()
const id = z.number().int().positive()

export const sellsyContact = z.looseObject({
  id,
  civility: text,
  first_name: text,
  last_name: text,
  email: text,
  phone_number: text,
  mobile_number: text,
  position: text,
  is_archived: z.boolean().optional(),
  updated: z.string().optional(),
})
export type SellsyContact = z.infer<typeof sellsyContact>

const address = z.looseObject({
  address_line_1: text,
  address_line_2: text,
  address_line_3: text,
  address_line_4: text,
  postal_code: text,
  city: text,
  country_code: text,
})

export const sellsyCompany = z.looseObject({
  id,
  type: z.string(),
  name: text,
  email: text,
  reference: text,
  auxiliary_code: text,
  legal_france: z.looseObject({ vat: text }).nullish(),
  main_contact_id: id.nullish(),
  invoicing_contact_id: id.nullish(),
  dunning_contact_id: id.nullish(),
  updated_at: z.string(),
  is_archived: z.boolean(),
  _embed: z.looseObject({ invoicing_address: address.nullish() }).nullish(),
})
export type SellsyCompany = z.infer<typeof sellsyCompany>

export const sellsyIndividual = z.looseObject({
  id,
  type: z.string(),
  civility: text,
  first_name: text,
  last_name: text,
  email: text,
  phone_number: text,
  mobile_number: text,
  reference: text,
  auxiliary_code: text,
  invoicing_contact_id: id.nullish(),
  dunning_contact_id: id.nullish(),
  updated_at: z.string(),
  is_archived: z.boolean(),
  _embed: z.looseObject({ invoicing_address: address.nullish() }).nullish(),
})
export type SellsyIndividual = z.infer<typeof sellsyIndividual>

/** Every list answer: `{ data, pagination: { limit, count, total, offset } }`. */
export const sellsyList = z.looseObject({
  data: z.array(z.unknown()),
  pagination: z.looseObject({
    limit: z.number().int(),
    count: z.number().int(),
    total: z.number().int().optional(),
    offset: z.union([z.string(), z.number()]).nullish(),
  }),
})
export type SellsyList = z.infer<typeof sellsyList>

/** The lists an incremental run follows, each by its own change time. */
export const streams = ['companies', 'individuals', 'contacts'] as const
export type Stream = (typeof streams)[number]

/**
 * Where one stream resumes: records changed at or after `at` (unix seconds), except those in
 * `seen` (id → fingerprint of the version already applied at that second). Sellsy keeps no
 * version number, so a record changed again within the same second is told apart by its content.
 */
const position = z.strictObject({ at: z.number().int(), seen: z.record(z.string(), z.string()) })
export type Position = z.infer<typeof position>

export const changesCursor = z.strictObject({
  v: z.literal(1),
  companies: position,
  individuals: position,
  contacts: position,
})
export type ChangesCursor = z.infer<typeof changesCursor>

/** Part-way through a full run: the list being read and Sellsy's seek offset in it. */
export const fullCursor = z.strictObject({
  v: z.literal(1),
  full: z.strictObject({
    stream: z.enum(['companies', 'individuals']),
    offset: z.string().nullable(),
    startedAt: z.number().int(),
  }),
})
export type FullCursor = z.infer<typeof fullCursor>
