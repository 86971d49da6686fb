import type { CustomerPatch } from '@contracts/customers.ts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { notifySaved } from '../../../platform/notify.ts'
import { fetchCustomer, fetchCustomerHistory, updateCustomer } from '../api/customers.ts'
import { customersKey } from './useCustomers.ts'

export const customerKey = (id: string) => [...customersKey, 'detail', id] as const

export const useCustomer = (id: string) =>
  useQuery({ queryKey: customerKey(id), queryFn: () => fetchCustomer(id) })

export const useCustomerHistory = (id: string) =>
  useQuery({ queryKey: [...customersKey, 'history', id], queryFn: () => fetchCustomerHistory(id) })

/** Saves a change to a customer; every list and page showing customers refreshes. */
export function useUpdateCustomer(id: string, options: { ownErrors?: boolean } = {}) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (patch: CustomerPatch) => updateCustomer(id, patch),
    meta: { ownErrors: options.ownErrors ?? false },
    onSuccess: (saved) => {
      client.setQueryData(customerKey(id), saved)
      notifySaved('Customer saved.', saved.warnings)
      return client.invalidateQueries({ queryKey: customersKey })
    },
  })
}
