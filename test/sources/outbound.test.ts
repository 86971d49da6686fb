import type { LookupAddress } from 'node:dns'
import { createServer, request, type IncomingMessage } from 'node:http'
import { isIP, Socket, type AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import {
  ForbiddenAddressError,
  guardOutboundLookups,
  guardedLookup,
  isForbiddenAddress,
  outboundRefusal,
} from '../../src/platform/http/outbound.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { client, json, newOrg, testApp, testStore } from '../support.ts'
import { ScriptedSource, scriptedConnectors } from './scripted.ts'

// Every address a socket of this file was asked to connect to, recorded beneath the guard that
// `guardOutboundLookups` installs on top. A safety net too: a socket to any IP address but this
// machine's ends here, so nothing leaves the machine even were the guard missing.
const socketTargets: string[] = []
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with its socket below
const connect = Socket.prototype.connect as (this: Socket, ...args: unknown[]) => Socket
Socket.prototype.connect = function (this: Socket, ...args: unknown[]): Socket {
  const [options] = (Array.isArray(args[0]) ? args[0] : args) as [{ host?: string } | undefined]
  const host = typeof options === 'object' ? (options.host ?? 'localhost') : 'localhost'
  socketTargets.push(host)
  if (isIP(host) !== 0 && host !== '127.0.0.1' && host !== '::1') {
    process.nextTick(() => this.destroy(new Error(`the test let no socket reach ${host}`)))
    return this
  }
  return connect.apply(this, args)
}

// A listener on this machine that must see no request unless the test lets one through.
const seen: string[] = []
const listener = createServer((req: IncomingMessage, res) => {
  seen.push(`${req.method ?? ''} ${req.url ?? ''}`)
  if (req.url?.startsWith('/redirect')) {
    // An allowed host that sends its caller on to the metadata service, by address.
    res.writeHead(302, { location: `http://169.254.169.254${req.url.slice('/redirect'.length)}` })
    res.end()
    return
  }
  res.writeHead(401, { 'content-type': 'application/json' })
  res.end('{"error":{"type":"invalid_request_error","message":"Invalid API Key provided"}}')
})
await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
afterAll(
  () =>
    new Promise<void>((resolve) =>
      listener.close(() => {
        resolve()
      }),
    ),
)
const port = (listener.address() as AddressInfo).port
const loopback = `http://127.0.0.1:${String(port)}`

const store = await testStore()
const closedApp = await testApp(store, { allowBaseUrl: false })
const openApp = await testApp(store, { allowBaseUrl: true })

const forbidden = [
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.170.2/v2/credentials',
  'http://[fe80::1]/',
  'http://[fd00:ec2::254]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://2852039166/',
  'http://0xa9.0xfe.0xa9.0xfe/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://METADATA.google.internal./',
  'http://100.100.100.200/latest/meta-data/',
]

describe('the address rule', () => {
  it('refuses link-local and cloud metadata addresses, however they are written', () => {
    for (const url of forbidden) {
      expect(outboundRefusal(url), url).toBe(
        'points at a link-local or cloud metadata address, which Roster never calls',
      )
    }
    expect(outboundRefusal('ftp://example.com/')).toBe('must start with https://')
    expect(outboundRefusal('https://user:pw@example.com/')).toBe(
      'must not hold a user name or password',
    )
    expect(outboundRefusal('not a url')).toBe('is not a URL')
  })

  it('lets other addresses through, this machine and private networks included', () => {
    for (const url of [
      'https://api.stripe.com',
      'http://127.0.0.1:4242',
      'http://localhost:4242',
      'http://10.0.0.5:8080/proxy',
      'http://[::1]:4242',
      'http://169.253.255.255/',
      'http://169.255.0.1/',
    ]) {
      expect(outboundRefusal(url), url).toBeNull()
    }
    expect(isForbiddenAddress('169.254.0.1')).toBe(true)
    expect(isForbiddenAddress('febf:ffff::1')).toBe(true)
    expect(isForbiddenAddress('fec0::1')).toBe(false)
    expect(isForbiddenAddress('not an address')).toBe(false)
  })
})

/** A GET to the listener's port through `lookup`, answering its status or its error. */
function getThrough(
  answer: string | LookupAddress[],
): Promise<{ status: number } | { error: Error }> {
  const lookup = guardedLookup((_host, options, callback) => {
    const all =
      typeof answer === 'string'
        ? [{ address: answer, family: answer.includes(':') ? 6 : 4 }]
        : answer
    if (options.all) callback(null, all)
    else callback(null, all[0]?.address ?? '', all[0]?.family)
  })
  return new Promise((resolve) => {
    const req = request(
      { host: 'rebound.example', port, path: '/latest/meta-data/', lookup },
      (res) => {
        res.resume()
        resolve({ status: res.statusCode ?? 0 })
      },
    )
    req.on('error', (error) => {
      resolve({ error })
    })
    req.end()
  })
}

describe('the address a host name resolves to, checked when the call is made', () => {
  it('refuses a name that resolves to a metadata address before anything is sent', async () => {
    const before = seen.length
    for (const answer of [
      '169.254.169.254',
      '::ffff:169.254.169.254',
      'fe80::1',
      // One forbidden address among others is enough to refuse the name.
      [
        { address: '127.0.0.1', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    ]) {
      const outcome = await getThrough(answer)
      expect(outcome).toEqual({ error: expect.any(ForbiddenAddressError) })
    }
    expect(seen.length).toBe(before)
  })

  it('lets a name through to an allowed address (the listener sees it)', async () => {
    const before = seen.length
    expect(await getThrough('127.0.0.1')).toEqual({ status: 401 })
    expect(seen.length).toBe(before + 1)
  })

  it('guards every fetch of the process once installed', async () => {
    guardOutboundLookups()
    const failure = await fetch(`http://metadata.google.internal:${String(port)}/`).catch(
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(TypeError)
    expect((failure as TypeError).cause).toBeInstanceOf(ForbiddenAddressError)
    // Other names still resolve as before.
    expect((await fetch(`http://localhost:${String(port)}/`)).status).toBe(401)
  })

  it('refuses a redirect to a metadata address written as an IP, which is never looked up', async () => {
    guardOutboundLookups()
    const before = seen.length
    for (const location of ['/redirect/latest/meta-data/', '/redirect:8080/']) {
      const failure = await fetch(`${loopback}${location}`).catch((error: unknown) => error)
      expect(failure, location).toBeInstanceOf(TypeError)
      expect((failure as TypeError).cause, location).toBeInstanceOf(ForbiddenAddressError)
    }
    // The allowed host answered the redirects; no socket was ever opened to the metadata address.
    expect(seen.slice(before)).toEqual(['GET /redirect/latest/meta-data/', 'GET /redirect:8080/'])
    expect(socketTargets).toContain('127.0.0.1')
    expect(socketTargets.filter((host) => host.startsWith('169.254.'))).toEqual([])
    // Node's http client and a socket of its own are refused the same way.
    const viaHttp = await new Promise<unknown>((resolve) => {
      request('http://169.254.169.254/latest/meta-data/', () => {
        resolve('answered')
      })
        .on('error', resolve)
        .end()
    })
    expect(viaHttp).toBeInstanceOf(ForbiddenAddressError)
    const socket = new Socket()
    const viaSocket = await new Promise<unknown>((resolve) => {
      socket.on('error', resolve).connect(80, 'fe80::1')
    })
    expect(viaSocket).toBeInstanceOf(ForbiddenAddressError)
    expect(
      socketTargets.filter((host) => host.startsWith('169.254.') || host === 'fe80::1'),
    ).toEqual([])
  })
})

const stripeWith = (baseUrl: string) => ({
  system: 'stripe',
  settings: { baseUrl },
  secrets: { apiKey: 'sk_test_0123456789abcdef', webhookSecret: 'whsec_0123456789' },
})

describe('a connection’s base URL', () => {
  it('is refused by the API unless the operator allows it, and nothing is called', async () => {
    const org = await newOrg(store)
    const api = client(closedApp, org.key)
    const before = seen.length
    const res = await api.post('/api/v1/connections', stripeWith(loopback))
    expect(res.statusCode).toBe(403)
    expect(json(res).error.message).toContain('ROSTER_ALLOW_BASE_URL=1')
    expect(json(res).error.details[0].path).toBe('settings.baseUrl')
    const consent = await api.post('/api/v1/connections/consent', {
      system: 'xero',
      settings: { baseUrl: loopback },
      secrets: { clientId: 'client', clientSecret: 'secret' },
    })
    expect(consent.statusCode).toBe(403)
    expect(seen.length).toBe(before)
    expect(loadConfig({}).allowBaseUrl).toBe(false)
    expect(loadConfig({ ROSTER_ALLOW_BASE_URL: '1' }).allowBaseUrl).toBe(true)
    expect(() => loadConfig({ ROSTER_ALLOW_BASE_URL: 'yes please' })).toThrow(
      'ROSTER_ALLOW_BASE_URL must be 1 (on) or 0 (off)',
    )
  })

  it('is called when allowed (the listener sees the credentials check)', async () => {
    const org = await newOrg(store)
    const before = seen.length
    const res = await client(openApp, org.key).post('/api/v1/connections', stripeWith(loopback))
    expect(res.statusCode).toBe(400)
    expect(json(res).error.message).toContain('Stripe refused these credentials')
    expect(seen.length).toBeGreaterThan(before)
  })

  it('never points at a link-local or metadata address, even when allowed', async () => {
    const org = await newOrg(store)
    // Stripe's base URL is a server address without a path.
    for (const url of forbidden.map((address) => new URL(address).origin)) {
      const res = await client(openApp, org.key).post('/api/v1/connections', stripeWith(url))
      expect(res.statusCode, url).toBe(400)
      expect(json(res).error.details[0]).toEqual({
        path: 'settings.baseUrl',
        message:
          'The base URL points at a link-local or cloud metadata address, which Roster never calls.',
      })
    }
  })
})

describe('a base URL given to a saved connection (PATCH)', () => {
  // Scripted connectors: the connection is saved without calling anything, and they take a base
  // URL in their settings as Roster's own do.
  const connectors = scriptedConnectors('stripe')
  const closedScripted = testApp(store, { connectors, allowBaseUrl: false })
  const openScripted = testApp(store, { connectors, allowBaseUrl: true })

  async function savedConnection(allowed: boolean) {
    const org = await newOrg(store)
    const api = client(await (allowed ? openScripted : closedScripted), org.key)
    const source = new ScriptedSource()
    const created = await api.post('/api/v1/connections', {
      system: 'stripe',
      settings: { site: source.site },
      secrets: { apiKey: 'good-key' },
    })
    expect(created.statusCode).toBe(201)
    return { api, source, id: json(created).id as string }
  }

  it('is refused with 403 unless the operator allows it, and the connection keeps its settings', async () => {
    const { api, source, id } = await savedConnection(false)
    const before = seen.length
    const res = await api.patch(`/api/v1/connections/${id}`, {
      settings: { site: source.site, baseUrl: loopback },
    })
    expect(res.statusCode).toBe(403)
    expect(json(res).error.message).toContain('ROSTER_ALLOW_BASE_URL=1')
    expect(json(res).error.details[0].path).toBe('settings.baseUrl')
    expect(seen.length).toBe(before)
    const kept = json(await api.get(`/api/v1/connections/${id}`))
    expect(kept.settings).toEqual({ site: source.site })
    // The same change without a base URL goes through.
    const renamed = await api.patch(`/api/v1/connections/${id}`, {
      settings: { site: source.site },
    })
    expect(renamed.statusCode).toBe(200)
  })

  it('is refused with 400 for a link-local or metadata address, even when allowed', async () => {
    const { api, source, id } = await savedConnection(true)
    for (const url of ['http://169.254.169.254', 'http://[fd00:ec2::254]']) {
      const res = await api.patch(`/api/v1/connections/${id}`, {
        settings: { site: source.site, baseUrl: url },
      })
      expect(res.statusCode, url).toBe(400)
      expect(json(res).error.details[0]).toEqual({
        path: 'settings.baseUrl',
        message:
          'The base URL points at a link-local or cloud metadata address, which Roster never calls.',
      })
    }
    const allowed = await api.patch(`/api/v1/connections/${id}`, {
      settings: { site: source.site, baseUrl: loopback },
    })
    expect(allowed.statusCode).toBe(200)
    expect(json(allowed).settings).toEqual({ site: source.site, baseUrl: loopback })
  })
})
