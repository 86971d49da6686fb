import { eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { signInLimits } from '../../src/modules/organizations/sign-in-throttle.ts'
import { signInFailures } from '../../src/platform/db/schema/index.ts'
import { newMember, newOrg, testApp, testStore } from '../support.ts'

const store = await testStore()
const app = await testApp(store)

const signIn = (email: string, password: string, address: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/session',
    remoteAddress: address,
    payload: { email, password },
  })

describe('failed sign-ins', () => {
  it('lock the account after a few, even with the right password, until the lock expires', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member', 'the right password')
    for (let i = 0; i < signInLimits.account.failures; i++) {
      expect((await signIn(member.email, `wrong ${i}`, `198.51.100.${i}`)).statusCode).toBe(401)
    }
    const locked = await signIn(member.email, 'the right password', '198.51.100.99')
    expect(locked.statusCode).toBe(429)
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800)
    expect(locked.json().error.message).toContain('Too many failed sign-ins')

    // The lock expires by itself; a success then clears the account's count.
    await store.db
      .update(signInFailures)
      .set({
        lockedUntil: sql`now() - interval '1 second'`,
        windowStartedAt: sql`now() - interval '1 hour'`,
      })
      .where(eq(signInFailures.key, `account:${member.email.toLowerCase()}`))
    expect((await signIn(member.email, 'the right password', '198.51.100.99')).statusCode).toBe(200)
    expect((await signIn(member.email, 'wrong again', '198.51.100.99')).statusCode).toBe(401)
    expect((await signIn(member.email, 'the right password', '198.51.100.99')).statusCode).toBe(200)
  })

  it('lock an address that tries many accounts, and not the others', async () => {
    const address = '203.0.113.77'
    for (let i = 0; i < signInLimits.address.failures; i++) {
      expect((await signIn(`nobody-${i}@throttle.example`, 'guess', address)).statusCode).toBe(401)
    }
    expect((await signIn('someone-else@throttle.example', 'guess', address)).statusCode).toBe(429)
    expect(
      (await signIn('someone-else@throttle.example', 'guess', '203.0.113.78')).statusCode,
    ).toBe(401)
  })
})
