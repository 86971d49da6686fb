import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * The plumbing the fake servers share (test tooling, not used by Roster itself): a local HTTP
 * server on a free port, a manual clock, recorded requests and failures injected on cue.
 */

export interface RecordedRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  /** The request's body as text ('' when none): a token endpoint's form, for one. */
  body: string
}

/** A failure the next calls answer instead of the real thing. */
export type Failure =
  | { status: 429; retryAfter?: number }
  | { status: 401 | 403 | 500 | 502 | 503 | 504 }
  /** The connection is closed without an answer. */
  | { status: 'drop' }

export interface FakeReply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

export type Handler = (request: RecordedRequest, failure: Failure | null) => FakeReply | 'drop'

export class FakeHttp {
  readonly requests: RecordedRequest[] = []
  private server: Server | null = null
  private failures: Failure[] = []
  private seconds: number
  url = ''

  constructor(now: number = Math.floor(Date.now() / 1000)) {
    this.seconds = now
  }

  /** The fake's clock in unix seconds. It stands still until a test moves it. */
  now(): number {
    return this.seconds
  }

  advance(seconds: number): void {
    this.seconds += seconds
  }

  setNow(seconds: number): void {
    this.seconds = seconds
  }

  /** The next `count` calls answer `failure` instead of their real answer. */
  failNext(count: number, failure: Failure): void {
    for (let i = 0; i < count; i++) this.failures.push(failure)
  }

  async listen(handler: Handler): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        this.answer(req, res, handler, Buffer.concat(chunks).toString('utf8'))
      })
    })
    this.server.listen(0, '127.0.0.1')
    await once(this.server, 'listening')
    const { port } = this.server.address() as AddressInfo
    this.url = `http://127.0.0.1:${port}`
  }

  async close(): Promise<void> {
    if (!this.server) return
    this.server.closeAllConnections()
    this.server.close()
    await once(this.server, 'close')
    this.server = null
  }

  private answer(req: IncomingMessage, res: ServerResponse, handler: Handler, body: string): void {
    const url = new URL(req.url ?? '/', 'http://fake')
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    }
    this.requests.push(recorded)
    const reply = handler(recorded, this.failures.shift() ?? null)
    if (reply === 'drop') {
      res.socket?.destroy()
      return
    }
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      date: new Date(this.seconds * 1000).toUTCString(),
      ...reply.headers,
    })
    res.end(JSON.stringify(reply.body))
  }
}

export type ParamValue = string | string[] | Record<string, string>

/** Query parameters in bracket syntax: `a[0]=x&a[1]=y`, `a[]=x`, `created[gte]=1`, `b=2`. */
export function parseQuery(query: URLSearchParams): Map<string, ParamValue> {
  const params = new Map<string, ParamValue>()
  for (const [key, value] of query) {
    const match = /^([^[]+)\[([^\]]*)\]$/.exec(key)
    if (!match) {
      params.set(key, value)
      continue
    }
    const [, name = key, inner = ''] = match
    const existing = params.get(name)
    if (inner === '' || /^\d+$/.test(inner)) {
      params.set(name, [...(Array.isArray(existing) ? existing : []), value])
    } else {
      const record = typeof existing === 'object' && !Array.isArray(existing) ? existing : {}
      params.set(name, { ...record, [inner]: value })
    }
  }
  return params
}

/** The key a Basic or Bearer Authorization header carries (Basic: the user name). */
export function credentialsOf(
  header: string | undefined,
): { user: string; password: string } | null {
  if (!header) return null
  const [scheme = '', value = ''] = header.split(' ', 2)
  if (/^bearer$/i.test(scheme)) return { user: value, password: '' }
  if (!/^basic$/i.test(scheme)) return null
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** An id in the source's style: a prefix and random characters. */
export function fakeId(prefix: string, length = 14): string {
  return prefix + randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length)
}
