import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Webhook } from 'standardwebhooks'
import { afterAll } from 'vitest'

export interface Received {
  id: string
  headers: IncomingHttpHeaders
  body: any
}

/**
 * A webhook receiver as a customer would write one: it verifies each call's signature with the
 * endpoint's secret (Standard Webhooks), keeps every call, and takes each event once, by its
 * webhook-id. `hold` keeps the next call unanswered until released; `status` is what it answers.
 */
export async function startReceiver() {
  let secret = ''
  const calls: Received[] = []
  const events = new Map<string, Received>()
  const refused: string[] = []
  let status = 200
  let holding: ((response: ServerResponse) => void) | null = null
  const held: ServerResponse[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      try {
        const body = new Webhook(secret).verify(raw, request.headers as Record<string, string>)
        const id = String(request.headers['webhook-id'])
        const call = { id, headers: request.headers, body }
        calls.push(call)
        if (!events.has(id)) events.set(id, call)
      } catch (error) {
        refused.push(error instanceof Error ? error.message : String(error))
        response.statusCode = 400
        response.end()
        return
      }
      if (holding) {
        const hold = holding
        holding = null
        hold(response)
        return
      }
      response.statusCode = status
      response.end('ok')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  afterAll(() => {
    for (const response of held) response.destroy()
    server.closeAllConnections()
    server.close()
  })
  return {
    url: `http://127.0.0.1:${String(port)}/hooks`,
    calls,
    events,
    refused,
    useSecret(value: string) {
      secret = value
    },
    answer(code: number) {
      status = code
    },
    /** The next call is taken (recorded) but not answered until `release`. */
    holdNext(): Promise<void> {
      return new Promise((resolve) => {
        holding = (response) => {
          held.push(response)
          resolve()
        }
      })
    },
    release() {
      for (const response of held.splice(0)) {
        if (!response.destroyed) response.end('late')
      }
    },
  }
}

/** Waits until `check` holds, up to 20 s. */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}
