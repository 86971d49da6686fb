import { page } from '@contracts/common.ts'
import {
  auditEvent,
  customer,
  customerReachCounts,
  customerWritten,
  type Customer,
  type CustomerPatch,
  type CustomerSort,
  type RecordSource,
} from '@contracts/customers.ts'
import { z } from 'zod'
import { api } from '../../../platform/api.ts'

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
  sort: CustomerSort
}

const customerPage = page(customer)
export type CustomerPage = z.infer<typeof customerPage>

export function fetchCustomers(
  filters: CustomerFilters,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<CustomerPage> {
  return api('/customers', {
    query: { ...filters, cursor, limit: 100 },
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
