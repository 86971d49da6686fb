import { session } from '@contracts/organizations.ts'
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
