import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { customersKey } from '../../customers/hooks/useCustomers.ts'
import {
  createConnection,
  disconnectContacts,
  confirmMatch,
  fetchConnections,
  fetchMatches,
  fetchConsentChoice,
  fetchConnectors,
  fetchContactSource,
  fetchRuns,
  removeConnection,
  pickTenant,
  setContactSource,
  startConsent,
  syncConnection,
  updateConnection,
  type Connection,
  type ConnectionPatch,
} from '../api/integrations.ts'

export const connectionsKey = ['connections'] as const
export const contactSourceKey = ['contact-source'] as const
const runsKey = (id: string) => [...connectionsKey, 'runs', id] as const

/** A run is under way: the screen asks again until it ends. */
export const isRunning = (connection: Connection): boolean =>
  connection.lastRun?.status === 'queued' || connection.lastRun?.status === 'running'

export const useConnections = (enabled = true) =>
  useQuery({
    queryKey: connectionsKey,
    queryFn: fetchConnections,
    enabled,
    refetchInterval: (query) => (query.state.data?.some(isRunning) ? 1500 : false),
  })

export const useRuns = (id: string, running: boolean) =>
  useInfiniteQuery({
    queryKey: runsKey(id),
    queryFn: ({ pageParam }) => fetchRuns(id, pageParam, 10),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: running ? 1500 : false,
  })

/** What the server's connectors declare; it changes only with a new version of Roster. */
export const useConnectors = () =>
  useQuery({ queryKey: ['connectors'], queryFn: fetchConnectors, staleTime: Infinity })

export const useContactSource = (enabled = true) =>
  useQuery({ queryKey: contactSourceKey, queryFn: fetchContactSource, enabled })

/** Connections, the contact source and the customers (their sources and locks) refresh together. */
function useRefresh() {
  const client = useQueryClient()
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: connectionsKey }),
      client.invalidateQueries({ queryKey: contactSourceKey }),
      client.invalidateQueries({ queryKey: customersKey }),
    ])
}

export function useConnect() {
  const refresh = useRefresh()
  return useMutation({
    mutationFn: createConnection,
    meta: { ownErrors: true },
    onSuccess: refresh,
  })
}

/** Pause, resume (no own errors: a notification) or reconnect (the form shows its errors). */
export function useUpdateConnection(options: { ownErrors?: boolean } = {}) {
  const refresh = useRefresh()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: ConnectionPatch }) =>
      updateConnection(id, patch),
    meta: { ownErrors: options.ownErrors ?? false },
    onSuccess: refresh,
  })
}

export function useRemoveConnection() {
  const refresh = useRefresh()
  return useMutation({ mutationFn: removeConnection, onSuccess: refresh })
}

export function useSyncNow() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, full }: { id: string; full: boolean }) => syncConnection(id, full),
    onSuccess: () => client.invalidateQueries({ queryKey: connectionsKey }),
  })
}

export function useSetContactSource() {
  const refresh = useRefresh()
  return useMutation({ mutationFn: setContactSource, onSuccess: refresh })
}

export function useDisconnectContacts() {
  const refresh = useRefresh()
  return useMutation({
    mutationFn: disconnectContacts,
    meta: { ownErrors: true },
    onSuccess: refresh,
  })
}

/** Starts a consent, then leaves for the system's consent page. */
export function useStartConsent() {
  return useMutation({
    mutationFn: startConsent,
    meta: { ownErrors: true },
    onSuccess: (authorizeUrl) => {
      window.location.assign(authorizeUrl)
    },
  })
}

export const useConsentChoice = (id: string | null) =>
  useQuery({
    queryKey: ['consent', id],
    queryFn: () => fetchConsentChoice(id ?? ''),
    enabled: id !== null,
    retry: false,
  })

export function usePickTenant() {
  const refresh = useRefresh()
  return useMutation({
    mutationFn: ({ id, tenantId }: { id: string; tenantId: string }) => pickTenant(id, tenantId),
    meta: { ownErrors: true },
    onSuccess: refresh,
  })
}

export const useMatches = (connectionId: string) =>
  useQuery({
    queryKey: ['connections', connectionId, 'matches'],
    queryFn: () => fetchMatches(connectionId),
  })

export function useConfirmMatch() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: confirmMatch,
    onSuccess: (matches, input) => {
      client.setQueryData(['connections', input.connectionId, 'matches'], matches)
      return client.invalidateQueries({ queryKey: connectionsKey })
    },
  })
}
