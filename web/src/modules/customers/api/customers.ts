import { page } from '@contracts/common.ts'
import {
  auditEvent,
  customer,
  customerBulkResult,
  customerCount,
  customerReachCounts,
  customerWritten,
  type Customer,
  type CustomerBulkAction,
  type CustomerBulkFilter,
  type CustomerCreate,
  type CustomerPatch,
  type CustomerSort,
  type RecordSource,
} from '@contracts/customers.ts'
import { z } from 'zod'
import { EXPORT_LINES_HEADER, type CsvEncoding, type CsvSeparator } from '@contracts/export.ts'
import { api, apiUrl, ApiError, errorOf } from '../../../platform/api.ts'

export type { Customer, CustomerSort, RecordSource }
export type AuditEvent = z.infer<typeof auditEvent>

/** The list's search, filters and order, as the page's address keeps them. */
export interface CustomerFilters {
  q: string
  accountManager: string | null
  workflow: string | null
  source: RecordSource | null
  /** Customers no reminder reaches, or with a bounced contact. */
  reach: 'unreachable' | 'bounced' | null
  /** The archived customers instead of the live ones. */
  archived: boolean
  sort: CustomerSort
}

/** The filters as the API's query: a filter left off is not sent. */
export const filterQuery = (filters: CustomerFilters) => ({
  ...filters,
  archived: filters.archived ? 'true' : undefined,
})

/** The filters as a bulk action's `filter`: every customer the list shows ("select all matching"). */
export const bulkFilter = (filters: CustomerFilters): CustomerBulkFilter => ({
  ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
  ...(filters.accountManager ? { accountManager: filters.accountManager } : {}),
  ...(filters.workflow ? { workflow: filters.workflow } : {}),
  ...(filters.source ? { source: filters.source } : {}),
  ...(filters.reach ? { reach: filters.reach } : {}),
  ...(filters.archived ? { archived: true } : {}),
})

/** How many customers the whole list holds with these filters (it loads 100 at a time). */
export const fetchCustomerCount = async (filters: CustomerFilters): Promise<number> => {
  const { sort: _sort, ...query } = filterQuery(filters)
  return (await api('/customers/count', { query, schema: customerCount })).customers
}

const customerPage = page(customer)
export type CustomerPage = z.infer<typeof customerPage>

export function fetchCustomers(
  filters: CustomerFilters,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<CustomerPage> {
  return api('/customers', {
    query: { ...filterQuery(filters), cursor, limit: 100 },
    schema: customerPage,
    ...(signal ? { signal } : {}),
  })
}

export const fetchReachCounts = () => api('/customers/reach', { schema: customerReachCounts })

export const fetchCustomer = (id: string): Promise<Customer> =>
  api(`/customers/${id}`, { schema: customer })

export const updateCustomer = (id: string, patch: CustomerPatch) =>
  api(`/customers/${id}`, { method: 'PATCH', body: patch, schema: customerWritten })

export const fetchCustomerHistory = async (id: string): Promise<AuditEvent[]> =>
  (await api(`/customers/${id}/history`, { schema: z.object({ data: z.array(auditEvent) }) })).data

export const createCustomer = (body: CustomerCreate) =>
  api('/customers', { method: 'POST', body, schema: customerWritten })

export const archiveCustomer = (id: string) =>
  api(`/customers/${id}/archive`, { method: 'POST', body: {}, schema: customer })

export const restoreCustomer = (id: string) =>
  api(`/customers/${id}/restore`, { method: 'POST', body: {}, schema: customer })

export const deleteCustomer = (id: string) => api(`/customers/${id}`, { method: 'DELETE' })

export const bulkCustomers = (body: CustomerBulkAction) =>
  api('/customers/bulk', { method: 'POST', body, schema: customerBulkResult })

export interface ExportOptions {
  format: 'csv' | 'xlsx'
  separator: CsvSeparator
  encoding: CsvEncoding
}

/** How far an export is: the lines received (a CSV's; null for a workbook) of `total`. */
export interface ExportProgress {
  total: number
  lines: number | null
  bytes: number
}

/**
 * Downloads the export of the list's filters, reporting its progress as it arrives, and hands
 * the file to the browser to save.
 */
export async function downloadExport(
  filters: CustomerFilters,
  options: ExportOptions,
  onProgress: (progress: ExportProgress) => void,
): Promise<void> {
  const { sort, ...rest } = filterQuery(filters)
  let response: Response
  try {
    response = await fetch(apiUrl('/customers/export', { ...rest, sort, ...options }), {
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError(0, 'network', 'Roster cannot be reached; check your connection.')
  }
  if (!response.ok || !response.body) throw await errorOf(response)
  const total = Number(response.headers.get(EXPORT_LINES_HEADER) ?? 0)
  const reader = response.body.getReader()
  const chunks: Uint8Array<ArrayBuffer>[] = []
  let bytes = 0
  let newlines = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    bytes += value.length
    if (options.format === 'csv') for (const byte of value) if (byte === 10) newlines++
    onProgress({
      total,
      lines: options.format === 'csv' ? Math.min(total, Math.max(0, newlines - 1)) : null,
      bytes,
    })
  }
  const name =
    /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
    `customers.${options.format}`
  const url = URL.createObjectURL(
    new Blob(chunks, { type: response.headers.get('content-type') ?? '' }),
  )
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
