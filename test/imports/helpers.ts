import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { json } from '../support.ts'

/** Sends a file as multipart/form-data in the `file` field, as a browser would. */
export function upload(
  app: FastifyInstance,
  key: string,
  fileName: string,
  content: string | Buffer,
  query = '',
): Promise<LightMyRequestResponse> {
  const boundary = `----roster${Math.random().toString(16).slice(2)}`
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    typeof content === 'string' ? Buffer.from(content) : content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return app.inject({
    method: 'POST',
    url: `/api/v1/imports${query}`,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    payload: body,
  })
}

export interface ImportApi {
  app: FastifyInstance
  key: string
}

const call = (api: ImportApi, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) =>
  api.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${api.key}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })

export async function waitForImport(api: ImportApi, id: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const record = json(await call(api, 'GET', `/imports/${id}`))
    if (record.finishedAt) return record
    await sleep(100)
  }
  throw new Error(`import ${id} did not finish`)
}

/** Uploads, maps (the suggested mapping unless one is given), runs and waits for the end. */
export async function importFile(
  api: ImportApi,
  content: string | Buffer,
  options: { fileName?: string; mapping?: (string | null)[]; query?: string } = {},
): Promise<{ id: string; dryRun: any; result: any }> {
  const uploaded = await upload(
    api.app,
    api.key,
    options.fileName ?? 'file.csv',
    content,
    options.query,
  )
  if (uploaded.statusCode !== 201) throw new Error(`upload: ${uploaded.body}`)
  const preview = json(uploaded)
  const mapped = await call(api, 'PUT', `/imports/${preview.id}/mapping`, {
    mapping: options.mapping ?? preview.suggestedMapping,
  })
  if (mapped.statusCode !== 200) throw new Error(`mapping: ${mapped.body}`)
  const started = await call(api, 'POST', `/imports/${preview.id}/start`, {})
  if (started.statusCode !== 202) throw new Error(`start: ${started.body}`)
  return { id: preview.id, dryRun: json(mapped), result: await waitForImport(api, preview.id) }
}

export const apiCall = call
