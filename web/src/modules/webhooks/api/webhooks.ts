import {
  webhookDelivery,
  webhookDeliveryList,
  webhookEndpoint,
  webhookEndpointWithSecret,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointCreate,
  type WebhookEndpointPatch,
  type WebhookEndpointWithSecret,
} from '@contracts/webhooks.ts'
import { z } from 'zod'
import { api } from '../../../platform/api.ts'

export type { WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret }

export const fetchEndpoints = async (): Promise<WebhookEndpoint[]> =>
  (await api('/webhook-endpoints', { schema: z.object({ data: z.array(webhookEndpoint) }) })).data

export const createEndpoint = (input: WebhookEndpointCreate): Promise<WebhookEndpointWithSecret> =>
  api('/webhook-endpoints', { method: 'POST', body: input, schema: webhookEndpointWithSecret })

export const updateEndpoint = (id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> =>
  api(`/webhook-endpoints/${id}`, { method: 'PATCH', body: patch, schema: webhookEndpoint })

export const rotateSecret = (id: string): Promise<WebhookEndpointWithSecret> =>
  api(`/webhook-endpoints/${id}/rotate-secret`, {
    method: 'POST',
    schema: webhookEndpointWithSecret,
  })

export const deleteEndpoint = async (id: string): Promise<void> => {
  await api(`/webhook-endpoints/${id}`, { method: 'DELETE' })
}

export const fetchDeliveries = async (endpointId: string): Promise<WebhookDelivery[]> =>
  (
    await api(`/webhook-endpoints/${endpointId}/deliveries`, {
      query: { limit: 100 },
      schema: webhookDeliveryList,
    })
  ).data

export const replayDelivery = (endpointId: string, deliveryId: string): Promise<WebhookDelivery> =>
  api(`/webhook-endpoints/${endpointId}/deliveries/${deliveryId}/replay`, {
    method: 'POST',
    schema: webhookDelivery,
  })
