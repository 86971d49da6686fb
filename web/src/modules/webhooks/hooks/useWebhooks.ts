import type { WebhookEndpointPatch } from '@contracts/webhooks.ts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  createEndpoint,
  deleteEndpoint,
  fetchDeliveries,
  fetchEndpoints,
  replayDelivery,
  rotateSecret,
  updateEndpoint,
} from '../api/webhooks.ts'

export const endpointsKey = ['webhook-endpoints'] as const
const deliveriesKey = (endpointId: string) => ['webhook-endpoints', endpointId, 'deliveries']

export const useEndpoints = (enabled = true) =>
  useQuery({ queryKey: endpointsKey, queryFn: fetchEndpoints, enabled })

/** An endpoint's delivery log, read again every few seconds while it is open. */
export const useDeliveries = (endpointId: string) =>
  useQuery({
    queryKey: deliveriesKey(endpointId),
    queryFn: () => fetchDeliveries(endpointId),
    refetchInterval: 2_000,
  })

export function useCreateEndpoint() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: createEndpoint,
    meta: { ownErrors: true },
    onSuccess: () => client.invalidateQueries({ queryKey: endpointsKey }),
  })
}

export function useEndpointActions() {
  const client = useQueryClient()
  const refresh = () => client.invalidateQueries({ queryKey: endpointsKey })
  const update = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: WebhookEndpointPatch }) =>
      updateEndpoint(id, patch),
    onSuccess: refresh,
  })
  const rotate = useMutation({ mutationFn: rotateSecret, onSuccess: refresh })
  const remove = useMutation({ mutationFn: deleteEndpoint, onSuccess: refresh })
  return { update, rotate, remove }
}

export function useReplay(endpointId: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (deliveryId: string) => replayDelivery(endpointId, deliveryId),
    onSuccess: () => client.invalidateQueries({ queryKey: deliveriesKey(endpointId) }),
  })
}
