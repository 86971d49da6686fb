import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { fetchCustomerCount, fetchCustomers, type CustomerFilters } from '../api/customers.ts'

export const customersKey = ['customers'] as const

/** The customers list, a page of 100 at a time as the table scrolls. */
export function useCustomerList(filters: CustomerFilters) {
  return useInfiniteQuery({
    queryKey: [...customersKey, 'list', filters],
    queryFn: ({ pageParam, signal }) => fetchCustomers(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  })
}

/** How many customers match the filters in all, read when `enabled` (to offer "select all"). */
export function useCustomerCount(filters: CustomerFilters, enabled: boolean) {
  return useQuery({
    queryKey: [...customersKey, 'count', { ...filters, sort: null }],
    queryFn: () => fetchCustomerCount(filters),
    enabled,
  })
}
