import { page } from '@contracts/common.ts'
import {
  dryRunResult,
  importPreview,
  importRecord,
  readOptions,
  rejectedCells,
  rejectedLine,
  unknownValue,
  type ColumnMapping,
  type RetryBody,
  type importStatuses,
  type TemplateName,
  type ValueMap,
} from '@contracts/imports.ts'
import { z } from 'zod'
import { api, ApiError, apiUrl, errorOf } from '../../../platform/api.ts'

export type ImportRecord = z.infer<typeof importRecord>
export type ImportPreview = z.infer<typeof importPreview>
export type DryRun = z.infer<typeof dryRunResult>
export type ImportSummary = NonNullable<ImportRecord['summary']>
export type RejectedLine = z.infer<typeof rejectedLine>
export type UnknownValue = z.infer<typeof unknownValue>
export type { ValueMap }
/** How to read the file, as the member chose it; what is left out is detected. */
export type ReadChoice = z.input<typeof readOptions>

const importPage = page(importRecord)
const rejectedPage = page(rejectedLine)
const rejectedCellsPage = page(rejectedCells)
export type RejectedCells = z.infer<typeof rejectedCells>
const unknownValues = z.object({ data: z.array(unknownValue) })

const unreachable = (): ApiError =>
  new ApiError(0, 'network', 'Roster cannot be reached; check your connection.')

const unexpected = (status: number): ApiError =>
  new ApiError(
    status,
    'unexpected_answer',
    'Roster answered in a form this page does not understand; reload the page.',
  )

/**
 * Sends a file to import. XMLHttpRequest rather than fetch: it reports the upload's progress,
 * which a member waits on for a large file.
 */
export function uploadImport(
  file: File,
  onProgress: (fraction: number) => void,
): Promise<ImportPreview> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open('POST', apiUrl('/imports'))
    request.setRequestHeader('accept', 'application/json')
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total)
    }
    request.onerror = () => reject(unreachable())
    request.onload = () => {
      const response = new Response(request.responseText, { status: request.status })
      if (!response.ok) {
        void errorOf(response).then(reject)
        return
      }
      try {
        const parsed = importPreview.safeParse(JSON.parse(request.responseText))
        if (parsed.success) resolve(parsed.data)
        else reject(unexpected(request.status))
      } catch {
        reject(unexpected(request.status))
      }
    }
    const form = new FormData()
    form.append('file', file, file.name)
    request.send(form)
  })
}

export const fetchImport = (id: string, signal?: AbortSignal): Promise<ImportRecord> =>
  api(`/imports/${id}`, { schema: importRecord, ...(signal ? { signal } : {}) })

export const fetchPreview = (id: string): Promise<ImportPreview> =>
  api(`/imports/${id}/preview`, { schema: importPreview })

export const readAgain = (id: string, choice: ReadChoice): Promise<ImportPreview> =>
  api(`/imports/${id}/options`, { method: 'PUT', body: choice, schema: importPreview })

/** Records the mapping and the value map; answers the dry run. Nothing is written to the customers. */
export const checkMapping = (
  id: string,
  mapping: ColumnMapping,
  valueMap: ValueMap,
): Promise<DryRun> =>
  api(`/imports/${id}/mapping`, {
    method: 'PUT',
    body: { mapping, valueMap },
    schema: dryRunResult,
  })

/** The values of the file no role is known by, after the last dry run. */
export const fetchUnknownValues = (id: string): Promise<UnknownValue[]> =>
  api(`/imports/${id}/unknown-values`, { schema: unknownValues }).then((answer) => answer.data)

/** Discards an import never submitted. */
export const discardImport = (id: string): Promise<unknown> =>
  api(`/imports/${id}/discard`, { method: 'POST' })

export const startImport = (id: string): Promise<ImportRecord> =>
  api(`/imports/${id}/start`, { method: 'POST', schema: importRecord })

export const cancelImport = (id: string): Promise<ImportRecord> =>
  api(`/imports/${id}/cancel`, { method: 'POST', schema: importRecord })

export const fetchHistory = (
  cursor: string | null,
  limit: number,
  status: readonly (typeof importStatuses)[number][] | null,
) =>
  api('/imports', {
    query: { cursor, limit, status: status ? status.join(',') : null },
    schema: importPage,
  })

export const fetchRejectedLines = (id: string, cursor: string | null, limit: number) =>
  api(`/imports/${id}/rejected-lines`, { query: { cursor, limit }, schema: rejectedPage })

export const fetchRejectedCells = (id: string, cursor: string | null, limit: number) =>
  api(`/imports/${id}/rejected-cells`, { query: { cursor, limit }, schema: rejectedCellsPage })

/** Imports rejected lines again, fixed: answers the follow-up import, which runs. */
export const retryImport = (id: string, body: RetryBody): Promise<ImportRecord> =>
  api(`/imports/${id}/retry`, { method: 'POST', body, schema: importRecord })

export const undoImport = (id: string): Promise<ImportRecord> =>
  api(`/imports/${id}/undo`, { method: 'POST', schema: importRecord })

export const templateUrl = (name: TemplateName): string => apiUrl(`/import-templates/${name}`)
export const originalFileUrl = (id: string): string => apiUrl(`/imports/${id}/file`)

/** The file name a Content-Disposition header gives, preferring its UTF-8 form. */
function attachmentName(header: string | null): string | undefined {
  if (!header) return undefined
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(header)?.[1]
  if (encoded) {
    try {
      return decodeURIComponent(encoded)
    } catch {
      // Fall back on the plain name.
    }
  }
  return /filename="([^"]*)"/i.exec(header)?.[1]
}

/**
 * Downloads the rejected lines as the CSV to fix and upload again. The API gives that file for
 * `Accept: text/csv`, which a link cannot ask for: it is fetched, then saved from memory.
 */
export async function downloadErrorFile(id: string, fallbackName: string): Promise<void> {
  let response: Response
  try {
    response = await fetch(apiUrl(`/imports/${id}/rejected-lines`), {
      credentials: 'same-origin',
      headers: { accept: 'text/csv' },
    })
  } catch {
    throw unreachable()
  }
  if (!response.ok) throw await errorOf(response)
  const blob = await response.blob()
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = attachmentName(response.headers.get('content-disposition')) ?? fallbackName
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
