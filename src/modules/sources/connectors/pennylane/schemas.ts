import { z } from 'zod'

/** Pennylane's Company API v2 payloads as we read them: the fields we use, the rest passed through. */

const baseUrl = z
  .url({ protocol: /^https?$/, error: 'The base URL must be an http or https address.' })
  .refine((value) => ['', '/'].includes(new URL(value).pathname) && !new URL(value).search, {
    error:
      'The Pennylane base URL is a server address only, like http://localhost:12111 (no path).',
  })

export const pennylaneSettings = z.strictObject({ baseUrl: baseUrl.optional() })
export type PennylaneSettings = z.infer<typeof pennylaneSettings>

export const pennylaneSecrets = z.strictObject({
  apiToken: z.string().trim().min(1, 'Enter the Pennylane API token.'),
})
export type PennylaneSecrets = z.infer<typeof pennylaneSecrets>

const text = z.string().nullish()

export const pennylaneAddress = z.looseObject({
  address: text,
  postal_code: text,
  city: text,
  country_alpha2: text,
})

export const pennylaneCustomer = z.looseObject({
  id: z.number().int(),
  customer_type: z.enum(['company', 'individual']),
  name: text,
  first_name: text,
  last_name: text,
  /** "Email address (optional)" in Pennylane: each entry is read on its own. */
  emails: z.array(z.unknown()).nullish(),
  phone: text,
  billing_address: pennylaneAddress.nullish(),
  vat_number: text,
  reg_no: text,
  external_reference: text,
  reference: text,
  recipient: text,
  ledger_account: z.looseObject({ id: z.number().int().nullish() }).nullish(),
  updated_at: text,
})
export type PennylaneCustomer = z.infer<typeof pennylaneCustomer>

/** Every list of the v2 API: cursor paging. */
export const pennylaneList = z.looseObject({
  items: z.array(z.unknown()),
  has_more: z.boolean().nullish(),
  next_cursor: z.string().nullish(),
})

/** One entry of `GET /changelogs/customers`. */
export const changelogItem = z.looseObject({
  id: z.number().int(),
  operation: z.enum(['insert', 'update', 'delete']),
  processed_at: z.string().min(1),
})
export type ChangelogItem = z.infer<typeof changelogItem>

/**
 * Where the next incremental run starts in the customers changelog: events processed at or after
 * `after` (Pennylane's own timestamp, to the microsecond), except those of the customers in `seen`
 * already applied at exactly that time.
 */
export const changesCursor = z.strictObject({
  v: z.literal(1),
  after: z.string(),
  seen: z.array(z.number().int()),
})
export type ChangesCursor = z.infer<typeof changesCursor>

/** Part-way through a full run: resumes the listing at Pennylane's `next_cursor`. */
export const fullCursor = z.strictObject({
  v: z.literal(1),
  full: z.strictObject({ cursor: z.string(), startedAt: z.string() }),
})
