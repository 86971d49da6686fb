import { notifications } from '@mantine/notifications'
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query'
import { ApiError, errorMessage } from './api.ts'

/** A session that ended (expired, signed out elsewhere) sends the member back to sign in. */
function onError(client: () => QueryClient, error: unknown): void {
  if (error instanceof ApiError && error.code === 'unauthenticated') {
    client().setQueryData(['session'], null)
  }
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (error) => onError(() => client, error) }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        onError(() => client, error)
        // A form that shows its own errors says so with `meta: { ownErrors: true }`.
        if (mutation.meta?.ownErrors) return
        notifications.show({ color: 'red', title: 'Not saved', message: errorMessage(error) })
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: true,
        retry: (failures, error) =>
          failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
    },
  })
  return client
}
