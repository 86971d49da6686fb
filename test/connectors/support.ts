import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'vitest'
import {
  SourceError,
  type Connector,
  type ListRequest,
  type SourcePage,
  type SourceErrorKind,
} from '../../src/modules/sources/connectors/types.ts'

/** Every page a listing yields, in order. */
export async function allPages<S, T>(
  connector: Connector<S, T>,
  request: ListRequest<S, T>,
): Promise<SourcePage[]> {
  const pages: SourcePage[] = []
  for await (const page of connector.list(request)) pages.push(page)
  return pages
}

/** The SourceError a promise fails with, after checking its kind. */
export async function sourceError(promise: Promise<unknown>, kind: SourceErrorKind) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SourceError)
  expect((error as SourceError).kind).toBe(kind)
  return error as SourceError
}

export async function fixture(system: string, name: string): Promise<any> {
  const url = new URL(`../fakes/${system}/fixtures/${name}.json`, import.meta.url)
  return JSON.parse(await readFile(url, 'utf8'))
}

/**
 * A stand-in for Roster's webhook route: verifies each call with the connector and answers 204,
 * or 401 with the reason.
 */
export async function webhookReceiver(
  verify: (headers: IncomingHttpHeaders, rawBody: Buffer) => unknown,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      // A connector's check may be asynchronous (its SDK loaded on first use).
      Promise.resolve()
        .then(() => verify(req.headers, Buffer.concat(chunks)))
        .then(
          () => res.writeHead(204).end(),
          (error: unknown) =>
            res.writeHead(401).end(error instanceof Error ? error.message : 'refused'),
        )
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    close: async () => {
      server.close()
      await once(server, 'close')
    },
  }
}

/** The connector's webhook check, for a system that has one. */
export function webhookVerifier<S, T>(
  connector: Connector<S, T>,
): NonNullable<Connector<S, T>['verifyWebhook']> {
  if (!connector.verifyWebhook) throw new Error(`${connector.descriptor.label} sends no webhooks`)
  return (request, settings, secrets) => connector.verifyWebhook?.(request, settings, secrets)
}
