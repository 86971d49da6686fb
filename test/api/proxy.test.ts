import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/platform/config.ts'
import { newMember, newOrg, testApp, testStore } from '../support.ts'

const store = await testStore()
const direct = await testApp(store)
const proxied = await testApp(store, {
  trustProxy: loadConfig({ ROSTER_TRUST_PROXY: '1' }).trustProxy,
})
const org = await newOrg(store)
const member = await newMember(store, org, 'member', 'a long password')

/** The session cookie of a sign-in that came through an HTTPS proxy (or says it did). */
async function cookieThroughHttps(app: typeof direct) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    payload: { email: member.email, password: 'a long password' },
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.cookies.find((c) => c.name === 'roster_session')
}

describe('behind an HTTPS proxy', () => {
  it('makes the session cookie Secure when the proxy is trusted', async () => {
    expect(await cookieThroughHttps(proxied)).toMatchObject({ secure: true, httpOnly: true })
  })

  it('believes no forwarded header from a proxy it was not told to trust', async () => {
    expect((await cookieThroughHttps(direct))?.secure).toBeFalsy()
  })

  it('reads ROSTER_TRUST_PROXY as off, all, a number of hops, or addresses', () => {
    const read = (value: string) => loadConfig({ ROSTER_TRUST_PROXY: value }).trustProxy
    expect(loadConfig({}).trustProxy).toBe(false)
    expect(read('false')).toBe(false)
    expect(read('true')).toBe(true)
    expect(read('2')).toBe(2)
    expect(read('10.0.0.1, 10.0.0.0/8')).toEqual(['10.0.0.1', '10.0.0.0/8'])
  })
})
