import { z } from 'zod'
import { optionalText, pageQuery } from './common.ts'

/** What an outbound webhook endpoint can subscribe to. */
export const webhookEventTypes = [
  'customer.created',
  'customer.updated',
  'customer.archived',
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'import.completed',
  'sync.completed',
] as const
export type WebhookEventType = (typeof webhookEventTypes)[number]

export const webhookDeliveryStatuses = ['pending', 'sending', 'delivered', 'failed'] as const
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number]

const eventList = z
  .array(
    z.enum(webhookEventTypes, {
      error: `Unknown event: use ${webhookEventTypes.join(', ')}.`,
    }),
  )
  .min(1, 'Choose at least one event.')
  .max(webhookEventTypes.length)
  .refine((events) => new Set(events).size === events.length, 'An event is listed twice.')

const endpointUrl = z.string().trim().min(1, 'Give the URL Roster posts to.').max(2000)

export const webhookEndpointCreate = z.strictObject({
  url: endpointUrl,
  events: eventList,
  description: optionalText(500),
  enabled: z.boolean().optional(),
})
export type WebhookEndpointCreate = z.infer<typeof webhookEndpointCreate>

export const webhookEndpointPatch = z.strictObject({
  url: endpointUrl.optional(),
  events: eventList.optional(),
  description: optionalText(500),
  enabled: z.boolean().optional(),
})
export type WebhookEndpointPatch = z.infer<typeof webhookEndpointPatch>

export const webhookEndpoint = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.enum(webhookEventTypes)),
  description: z.string().nullable(),
  enabled: z.boolean(),
  /** Why Roster turned it off (deliveries failed for a day), or null. */
  disabledReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type WebhookEndpoint = z.infer<typeof webhookEndpoint>

/** An endpoint as created or with a new secret: the secret is shown this once. */
export const webhookEndpointWithSecret = webhookEndpoint.extend({
  /** `whsec_…`: verify the `webhook-signature` header with it (Standard Webhooks). */
  secret: z.string(),
})
export type WebhookEndpointWithSecret = z.infer<typeof webhookEndpointWithSecret>

export const webhookDeliveryListQuery = z.strictObject({
  status: z.enum(webhookDeliveryStatuses).optional(),
  ...pageQuery,
})
export type WebhookDeliveryListQuery = z.infer<typeof webhookDeliveryListQuery>

export const webhookDelivery = z.object({
  id: z.uuid(),
  /** The `webhook-id` header: the same for every attempt and replay of one event. */
  eventId: z.string(),
  eventType: z.enum(webhookEventTypes),
  status: z.enum(webhookDeliveryStatuses),
  attempts: z.number().int(),
  /** The receiver's HTTP status of the last attempt, null when none answered. */
  responseStatus: z.number().int().nullable(),
  /** How long the last attempt took, in milliseconds. */
  durationMs: z.number().int().nullable(),
  /** Why the last attempt failed, in a few words. */
  error: z.string().nullable(),
  /** When it is tried (again), while pending. */
  nextAttemptAt: z.iso.datetime().nullable(),
  lastAttemptAt: z.iso.datetime().nullable(),
  deliveredAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  /** The delivery this one replays, if it is a replay. */
  replayOf: z.uuid().nullable(),
})
export type WebhookDelivery = z.infer<typeof webhookDelivery>

export const webhookDeliveryList = z.object({
  data: z.array(webhookDelivery),
  nextCursor: z.string().nullable(),
})
export type WebhookDeliveryList = z.infer<typeof webhookDeliveryList>

export const webhookDeliveryParams = z.strictObject({
  id: z.uuid(),
  deliveryId: z.uuid(),
})

/** Who or what made a change an event reports. */
export const webhookActor = z.object({
  kind: z.enum(['member', 'api_key', 'cli', 'source', 'import']),
  label: z.string(),
})

/** A field's value before and after the change (null for a created or removed record). */
export const webhookChange = z.object({ before: z.unknown(), after: z.unknown() })

/** The JSON body Roster posts (Standard Webhooks: `type`, `timestamp`, `data`). */
export const webhookPayload = z.object({
  type: z.enum(webhookEventTypes),
  timestamp: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
})
export type WebhookPayload = z.infer<typeof webhookPayload>
