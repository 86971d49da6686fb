import type { CustomerBulkAction, CustomerCreate, CustomerPatch } from '@contracts/customers.ts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { notifySaved } from '../../../platform/notify.ts'
import { plural } from '../../../platform/plural.ts'
import {
  archiveCustomer,
  bulkCustomers,
  createCustomer,
  deleteCustomer,
  fetchCustomer,
  fetchCustomerHistory,
  restoreCustomer,
  updateCustomer,
} from '../api/customers.ts'
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

/** Creates a customer (its form shows the errors). */
export function useCreateCustomer() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: CustomerCreate) => createCustomer(body),
    meta: { ownErrors: true },
    onSuccess: (saved) => {
      notifySaved(`${saved.name} created.`, saved.warnings)
      return client.invalidateQueries({ queryKey: customersKey })
    },
  })
}

/** Archives, restores or deletes one customer; every list and page showing customers refreshes. */
export function useCustomerLifecycle(id: string) {
  const client = useQueryClient()
  const refresh = () => client.invalidateQueries({ queryKey: customersKey })
  return {
    archive: useMutation({
      mutationFn: () => archiveCustomer(id),
      onSuccess: (saved) => {
        client.setQueryData(customerKey(id), saved)
        notifySaved(`${saved.name} archived.`)
        return refresh()
      },
    }),
    restore: useMutation({
      mutationFn: () => restoreCustomer(id),
      onSuccess: (saved) => {
        client.setQueryData(customerKey(id), saved)
        notifySaved(`${saved.name} restored.`)
        return refresh()
      },
    }),
    remove: useMutation({
      mutationFn: () => deleteCustomer(id),
      onSuccess: () => {
        client.removeQueries({ queryKey: customerKey(id) })
        notifySaved('Customer deleted.')
        return refresh()
      },
    }),
  }
}

/** One action on the selected customers, all or nothing. */
export function useBulkCustomers() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: CustomerBulkAction) => bulkCustomers(body),
    onSuccess: ({ updated }) => {
      notifySaved(`${plural(updated, 'customer')} updated.`)
      return client.invalidateQueries({ queryKey: customersKey })
    },
  })
}
