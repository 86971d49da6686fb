import http from 'node:http'
import https from 'node:https'
import { webhookLookup } from '../../platform/http/outbound.ts'

export type PostOutcome =
  | { kind: 'answered'; status: number; durationMs: number }
  | { kind: 'failed'; reason: string; durationMs: number }
  /** Roster stopped while waiting: the receiver may or may not have taken it. */
  | { kind: 'interrupted'; durationMs: number }

/**
 * Posts one signed body and waits for the status, at most `timeoutMs`; the answer's body is read
 * and dropped. Host names are looked up through the webhook guard on every call.
 */
export function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowLocal: boolean; signal?: AbortSignal },
): Promise<PostOutcome> {
  const started = performance.now()
  const elapsed = (): number => Math.round(performance.now() - started)
  return new Promise((resolve) => {
    const target = new URL(url)
    const send = target.protocol === 'https:' ? https.request : http.request
    let settled = false
    const settle = (outcome: PostOutcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      resolve(outcome)
    }
    const request = send(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: webhookLookup(options.allowLocal),
    })
    const timer = setTimeout(() => {
      settle({ kind: 'failed', reason: 'no answer in time', durationMs: elapsed() })
      request.destroy()
    }, options.timeoutMs)
    const onAbort = (): void => {
      settle({ kind: 'interrupted', durationMs: elapsed() })
      request.destroy()
    }
    request.on('response', (response) => {
      response.resume()
      response.on('error', () => undefined)
      settle({ kind: 'answered', status: response.statusCode ?? 0, durationMs: elapsed() })
    })
    request.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code && !error.message.includes(error.code)
          ? `${error.message} (${error.code})`
          : error.message
      settle({ kind: 'failed', reason, durationMs: elapsed() })
    })
    if (options.signal?.aborted) {
      onAbort()
      return
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    request.end(body)
  })
}
