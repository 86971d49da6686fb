import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  acceptInvitation,
  completePasswordReset,
  fetchOrganizations,
  fetchSession,
  fetchSignup,
  lookupInvitation,
  requestPasswordReset,
  signIn,
  signOut,
  signUp,
  switchOrganization,
  type Session,
} from '../api/session.ts'

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

/** A mutation that ends with someone signed in: the app starts again from their session. */
function useSignsIn<Input>(mutationFn: (input: Input) => Promise<Session>) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn,
    meta: { ownErrors: true },
    onSuccess: (session) => {
      queryClient.clear()
      queryClient.setQueryData<Session | null>(sessionKey, session)
    },
  })
}

export const useAcceptInvitation = () => useSignsIn(acceptInvitation)
export const useCompletePasswordReset = () => useSignsIn(completePasswordReset)
export const useSignUp = () => useSignsIn(signUp)
export const useSwitchOrganization = () => useSignsIn(switchOrganization)

export const useRequestPasswordReset = () =>
  useMutation({ mutationFn: requestPasswordReset, meta: { ownErrors: true } })

export const useSignupSettings = () =>
  useQuery({ queryKey: ['signup'], queryFn: fetchSignup, staleTime: Infinity })

/** The organisations the signed-in member may switch between (a member, not an API key). */
export const useMyOrganizations = (enabled: boolean) =>
  useQuery({ queryKey: ['session', 'organizations'], queryFn: fetchOrganizations, enabled })

/** What an invitation's link is for; an invalid or expired link is an error at once. */
export const useInvitationPreview = (token: string) =>
  useQuery({
    queryKey: ['invitation', token],
    queryFn: () => lookupInvitation(token),
    retry: false,
  })
