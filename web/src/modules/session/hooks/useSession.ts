import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { fetchSession, signIn, signOut, type Session } from '../api/session.ts'

export const sessionKey = ['session'] as const

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 5 * 60_000 })
}

/** The signed-in session; only for screens behind RequireSession. */
export function useSignedIn(): Session {
  const { data } = useSession()
  if (!data) throw new Error('useSignedIn used outside RequireSession')
  return data
}

export function useIsAdmin(): boolean {
  return useSignedIn().member?.role === 'admin'
}

export function useSignIn() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: signIn,
    meta: { ownErrors: true },
    onSuccess: (session) => {
      queryClient.clear()
      queryClient.setQueryData<Session | null>(sessionKey, session)
    },
  })
}

export function useSignOut() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: signOut,
    onSettled: () => {
      queryClient.clear()
      queryClient.setQueryData<Session | null>(sessionKey, null)
    },
  })
}
