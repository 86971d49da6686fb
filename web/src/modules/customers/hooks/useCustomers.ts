import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query'
import { fetchCustomers, type CustomerFilters } from '../api/customers.ts'

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
