import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/platform/config.ts'
import { newMember, newOrg, testApp, testStore } from '../support.ts'

const store = await testStore()
const app = await testApp(store)
const org = await newOrg(store)
const member = await newMember(store, org, 'admin', 'a long password')
const own = new URL(loadConfig().publicUrl).origin

async function sessionCookie(): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: { origin: own },
    payload: { email: member.email, password: 'a long password' },
  })
  expect(res.statusCode, res.body).toBe(200)
  const cookie = res.cookies.find((c) => c.name === 'roster_session')
  return `roster_session=${cookie?.value ?? ''}`
}

const readAll = (headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/api/v1/notifications/read-all', headers })

describe('changes sent by another site with the session cookie', () => {
  it('are refused, whether the site is another host, a sibling subdomain or another port', async () => {
    const cookie = await sessionCookie()
    for (const origin of [
      'https://evil.example',
      'http://app.localhost.example',
      'http://localhost:1',
      'null',
    ]) {
      const res = await readAll({ cookie, origin })
      expect(res.statusCode, origin).toBe(403)
      expect(res.json().error.message).toContain("not from Roster's own pages")
    }
    // A browser that sends no Origin still says the request came from another site.
    expect((await readAll({ cookie, 'sec-fetch-site': 'same-site' })).statusCode).toBe(403)
    expect((await readAll({ cookie, 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403)
  })

  it('refuses a file upload from another site too', async () => {
    const cookie = await sessionCookie()
    const boundary = 'x-boundary'
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: {
        cookie,
        origin: 'https://evil.example',
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nName\r\nAcme\r\n--${boundary}--\r\n`,
    })
    expect(res.statusCode).toBe(403)
  })

  it("accepts Roster's own pages, requests without a browser's marks, and API keys from anywhere", async () => {
    const cookie = await sessionCookie()
    expect((await readAll({ cookie, origin: own })).statusCode).toBeLessThan(300)
    expect((await readAll({ cookie, 'sec-fetch-site': 'same-origin' })).statusCode).toBeLessThan(
      300,
    )
    expect((await readAll({ cookie })).statusCode).toBeLessThan(300)
    const viaKey = await app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers: { authorization: `Bearer ${org.key}`, origin: 'https://integration.example' },
      payload: { name: 'Made by a script' },
    })
    expect(viaKey.statusCode).toBe(201)
    // Reading is never refused.
    const read = await app.inject({
      url: '/api/v1/customers',
      headers: { cookie, origin: 'https://evil.example' },
    })
    expect(read.statusCode).toBe(200)
  })

  it('refuses a sign-in posted by another site (login CSRF)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { origin: 'https://evil.example' },
      payload: { email: member.email, password: 'a long password' },
    })
    expect(res.statusCode).toBe(403)
    expect(res.cookies).toHaveLength(0)
  })
})
