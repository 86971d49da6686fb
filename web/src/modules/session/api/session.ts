import {
  invitationPreview,
  passwordResetRequested,
  session,
  sessionOrganizations,
  signupSettings,
} from '@contracts/organizations.ts'
import type { z } from 'zod'
import { api, ApiError } from '../../../platform/api.ts'

export type Session = z.infer<typeof session>

/** Who is signed in, or null when nobody is. */
export async function fetchSession(): Promise<Session | null> {
  try {
    return await api('/session', { schema: session })
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthenticated') return null
    throw error
  }
}

export function signIn(input: {
  email: string
  password: string
  organization?: string | undefined
}): Promise<Session> {
  return api('/session', { method: 'POST', body: input, schema: session })
}

export async function signOut(): Promise<void> {
  await api('/session', { method: 'DELETE' })
}

export type InvitationPreview = z.infer<typeof invitationPreview>

export const lookupInvitation = (token: string): Promise<InvitationPreview> =>
  api('/invitations/lookup', { method: 'POST', body: { token }, schema: invitationPreview })

export const acceptInvitation = (input: {
  token: string
  name: string
  password: string
}): Promise<Session> => api('/invitations/accept', { method: 'POST', body: input, schema: session })

export const requestPasswordReset = (email: string) =>
  api('/password-resets', { method: 'POST', body: { email }, schema: passwordResetRequested })

export const completePasswordReset = (input: { token: string; password: string }) =>
  api('/password-resets/complete', { method: 'POST', body: input, schema: session })

export const fetchSignup = () => api('/signup', { schema: signupSettings })

export const signUp = (input: {
  organization: string
  name: string
  email: string
  password: string
}): Promise<Session> => api('/signup', { method: 'POST', body: input, schema: session })

export const fetchOrganizations = async () =>
  (await api('/session/organizations', { schema: sessionOrganizations })).data

export const switchOrganization = (organization: string): Promise<Session> =>
  api('/session/organization', { method: 'POST', body: { organization }, schema: session })
