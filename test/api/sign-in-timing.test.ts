import { describe, expect, it, vi } from 'vitest'
import * as secrets from '../../src/platform/auth/secrets.ts'
import { newMember, newOrg, testApp, testStore } from '../support.ts'

// Counts the password checks a sign-in does (each one is a scrypt run, the sign-in's cost).
vi.mock('../../src/platform/auth/secrets.ts', async (original) => {
  const actual = await original<typeof import('../../src/platform/auth/secrets.ts')>()
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) }
})

const store = await testStore()
const app = await testApp(store)

const signIn = (email: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } })

describe('the time a sign-in takes', () => {
  it('is the same work for an email without an account as for a wrong password', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member', 'the right password')
    const checks = vi.mocked(secrets.verifyPassword)

    checks.mockClear()
    const wrong = await signIn(member.email, 'not the password')
    expect(wrong.statusCode).toBe(401)
    expect(checks).toHaveBeenCalledTimes(1)

    checks.mockClear()
    const unknown = await signIn('nobody@timing.example', 'not the password')
    expect(unknown.statusCode).toBe(401)
    expect(unknown.body).toBe(wrong.body)
    expect(checks).toHaveBeenCalledTimes(1)
    await expect(checks.mock.results[0]?.value).resolves.toBe(false)
  })
})
