import {
  customerSorts,
  recordSources,
  type CustomerSort,
  type RecordSource,
} from '@contracts/customers.ts'
import { useCallback, useMemo } from 'react'
import { useSearchParams } from 'react-router'
import type { CustomerFilters } from '../api/customers.ts'

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | null =>
  value !== null && (values as readonly string[]).includes(value) ? (value as T) : null

/** The list's search, filters and order, kept in the address so they survive a reload or a link. */
export function useCustomerFilters(): [
  CustomerFilters,
  (change: Partial<CustomerFilters>) => void,
] {
  const [params, setParams] = useSearchParams()
  const filters = useMemo<CustomerFilters>(
    () => ({
      q: params.get('q') ?? '',
      accountManager: params.get('accountManager'),
      workflow: params.get('workflow'),
      source: oneOf<RecordSource>(recordSources, params.get('source')),
      reach: oneOf(['unreachable', 'bounced'] as const, params.get('reach')),
      archived: params.get('archived') === 'true',
      sort: oneOf<CustomerSort>(customerSorts, params.get('sort')) ?? 'name',
    }),
    [params],
  )
  const update = useCallback(
    (change: Partial<CustomerFilters>) => {
      setParams(
        () => {
          // The address as it is now: react-router hands the updater the parameters of the last
          // render, so two changes made before it renders again (two filters picked quickly)
          // would otherwise lose the first.
          const next = new URLSearchParams(window.location.search)
          for (const [key, value] of Object.entries(change)) {
            if (
              value === null ||
              value === '' ||
              value === false ||
              (key === 'sort' && value === 'name')
            )
              next.delete(key)
            else next.set(key, String(value))
          }
          return next
        },
        { replace: true },
      )
    },
    [setParams],
  )
  return [filters, update]
}
