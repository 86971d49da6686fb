import { z } from 'zod'

/** Chargebee's payloads as we read them: the fields we use, the rest passed through untouched. */

export const chargebeeSettings = z.strictObject({
  site: z
    .string()
    .trim()
    .regex(
      /^[a-z0-9][a-z0-9-]*$/i,
      'Enter the Chargebee site name only, like acme-test for acme-test.chargebee.com.',
    ),
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'The base URL must be an http or https address.' })
    .optional(),
})
export type ChargebeeSettings = z.infer<typeof chargebeeSettings>

export const chargebeeSecrets = z.strictObject({
  apiKey: z.string().trim().min(1, 'Enter the Chargebee API key.'),
  webhookUsername: z.string().min(1).optional(),
  webhookPassword: z.string().min(1).optional(),
})
export type ChargebeeSecrets = z.infer<typeof chargebeeSecrets>

const text = z.string().nullish()

export const chargebeeContact = z.looseObject({
  id: z.string().min(1),
  first_name: text,
  last_name: text,
  email: text,
  phone: text,
  label: text,
  enabled: z.boolean().optional(),
  send_billing_email: z.boolean().optional(),
  send_account_email: z.boolean().optional(),
})
export type ChargebeeContact = z.infer<typeof chargebeeContact>

export const chargebeeBillingAddress = z.looseObject({
  line1: text,
  line2: text,
  line3: text,
  city: text,
  state: text,
  state_code: text,
  country: text,
  zip: text,
})

export const chargebeeCustomer = z.looseObject({
  id: z.string().min(1),
  first_name: text,
  last_name: text,
  email: text,
  phone: text,
  company: text,
  vat_number: text,
  vat_number_prefix: text,
  preferred_currency_code: text,
  billing_address: chargebeeBillingAddress.nullish(),
  /** Each entry is read on its own, so one bad contact does not cost the whole customer. */
  contacts: z.array(z.unknown()).optional(),
  deleted: z.boolean().optional(),
  pii_cleared: z.string().optional(),
  updated_at: z.number().int().optional(),
  resource_version: z.number().int().optional(),
})
export type ChargebeeCustomer = z.infer<typeof chargebeeCustomer>

/** `GET /customers` and `GET /customers/{id}/contacts`: a list of wrapped items, maybe more. */
export const chargebeeList = z.looseObject({
  list: z.array(z.unknown()),
  next_offset: z.string().optional(),
})

/**
 * Where the next incremental run starts: customers updated at or after `updatedAt`, except
 * those in `seen` (id → resource version already applied at that second).
 */
export const changesCursor = z.strictObject({
  v: z.literal(1),
  updatedAt: z.number().int(),
  seen: z.record(z.string(), z.number()),
})
export type ChangesCursor = z.infer<typeof changesCursor>

/** Part-way through a full run: resumes the listing at Chargebee's `next_offset`. */
export const fullCursor = z.strictObject({
  v: z.literal(1),
  full: z.strictObject({ offset: z.string(), startedAt: z.number().int() }),
})
