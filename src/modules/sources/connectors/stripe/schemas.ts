import { z } from 'zod'

/** Stripe's payloads as we read them: the fields we use, the rest passed through untouched. */

const baseUrl = z
  .url({ protocol: /^https?$/, error: 'The base URL must be an http or https address.' })
  .refine((value) => ['', '/'].includes(new URL(value).pathname) && !new URL(value).search, {
    error: 'The Stripe base URL is a server address only, like http://localhost:12111 (no path).',
  })

export const stripeSettings = z.strictObject({ baseUrl: baseUrl.optional() })
export type StripeSettings = z.infer<typeof stripeSettings>

export const stripeSecrets = z.strictObject({
  apiKey: z.string().trim().min(1, 'Enter the Stripe secret or restricted API key.'),
  webhookSecret: z
    .string()
    .trim()
    .startsWith('whsec_', 'The webhook signing secret starts with whsec_.')
    .optional(),
})
export type StripeSecrets = z.infer<typeof stripeSecrets>

const nullableText = z.string().nullish()

export const stripeAddress = z.looseObject({
  line1: nullableText,
  line2: nullableText,
  city: nullableText,
  state: nullableText,
  postal_code: nullableText,
  country: nullableText,
})

export const stripeTaxId = z.looseObject({
  type: z.string(),
  value: z.string(),
  country: nullableText,
})

export const stripeCustomer = z.looseObject({
  id: z.string().min(1),
  object: z.literal('customer'),
  deleted: z.literal(false).optional(),
  name: nullableText,
  email: nullableText,
  phone: nullableText,
  description: nullableText,
  address: stripeAddress.nullish(),
  currency: nullableText,
  created: z.number().int(),
  tax_ids: z.looseObject({ data: z.array(stripeTaxId) }).nullish(),
})
export type StripeCustomer = z.infer<typeof stripeCustomer>

/** What retrieving a deleted customer answers. */
export const stripeDeletedCustomer = z.looseObject({
  id: z.string().min(1),
  object: z.literal('customer'),
  deleted: z.literal(true),
})

export const stripeList = z.looseObject({
  object: z.literal('list'),
  data: z.array(z.unknown()),
  has_more: z.boolean(),
})

export const customerEventTypes = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer.tax_id.created',
  'customer.tax_id.updated',
  'customer.tax_id.deleted',
] as const

export const stripeEvent = z.looseObject({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string(),
  created: z.number().int(),
  data: z.looseObject({
    object: z.looseObject({
      id: z.string().min(1),
      object: z.string(),
      /** On tax id events: the customer the tax id belongs to. */
      customer: z.string().nullish(),
    }),
  }),
})
export type StripeEvent = z.infer<typeof stripeEvent>

/**
 * Where the next incremental run starts in Stripe's event feed: events created at or after
 * `created`, except the ids in `seen` (already applied at that second). `coveredUntil` is the
 * Stripe time up to which the feed was read with nothing left to apply; events expire after 30
 * days, so a cursor whose `coveredUntil` is older cannot be resumed.
 */
export const eventsCursor = z.strictObject({
  v: z.literal(1),
  created: z.number().int(),
  seen: z.array(z.string()),
  coveredUntil: z.number().int(),
})
export type EventsCursor = z.infer<typeof eventsCursor>

/** Part-way through a full run: resumes the listing after `startingAfter`. */
export const fullCursor = z.strictObject({
  v: z.literal(1),
  full: z.strictObject({ startingAfter: z.string(), startedAt: z.number().int() }),
})
export type FullCursor = z.infer<typeof fullCursor>
