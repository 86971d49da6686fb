import { Button, Group, Switch } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { lazy, Suspense, useCallback, useMemo, useState } from 'react'
import { AddCustomersMenu } from '../modules/customers/components/AddCustomersMenu.tsx'
import { CustomerFiltersBar } from '../modules/customers/components/CustomerFiltersBar.tsx'
import { CustomersTable } from '../modules/customers/components/CustomersTable.tsx'
import type { CustomerFilters } from '../modules/customers/api/customers.ts'
import { useCustomerFilters } from '../modules/customers/hooks/useCustomerFilters.ts'
import { useCustomerList } from '../modules/customers/hooks/useCustomers.ts'
import { PageTitle } from '../platform/PageTitle.tsx'

// Shown only once something is ticked or asked for: loaded then, not with the list.
const BulkActionsBar = lazy(() =>
  import('../modules/customers/components/BulkActionsBar.tsx').then((m) => ({
    default: m.BulkActionsBar,
  })),
)
const ExportModal = lazy(() =>
  import('../modules/customers/components/ExportModal.tsx').then((m) => ({
    default: m.ExportModal,
  })),
)

export function CustomersPage() {
  const [filters, setFilters] = useCustomerFilters()
  const [selected, setSelected] = useState<Set<string>>(() => new Set())
  // "Select all matching": the bulk actions apply to the filters, not to the rows loaded so far.
  const [allMatching, setAllMatching] = useState(false)
  const [exporting, setExporting] = useState(false)
  // The rows loaded so far (the table's own query, shared through the cache).
  const list = useCustomerList(filters)
  const shown = useMemo(
    () => list.data?.pages.flatMap((page) => page.data.map((c) => c.id)) ?? [],
    [list.data],
  )
  const ticked = useMemo(
    () => (allMatching ? new Set(shown) : selected),
    [allMatching, shown, selected],
  )
  const clear = useCallback(() => {
    setAllMatching(false)
    setSelected(new Set())
  }, [])
  const tick = useCallback((next: Set<string>) => {
    setAllMatching(false)
    setSelected(next)
  }, [])
  // Another search or filter shows other customers: the selection starts again.
  const change = useCallback(
    (next: Partial<CustomerFilters>) => {
      clear()
      setFilters(next)
    },
    [clear, setFilters],
  )
  return (
    <>
      <PageTitle
        title="Customers"
        actions={
          <Group>
            <Button
              variant="default"
              leftSection={<IconDownload size={16} aria-hidden />}
              onClick={() => setExporting(true)}
            >
              Export
            </Button>
            <AddCustomersMenu />
          </Group>
        }
      />
      <CustomerFiltersBar filters={filters} onChange={change} />
      <Switch
        mb="md"
        label="Show archived customers"
        checked={filters.archived}
        onChange={(event) => change({ archived: event.currentTarget.checked })}
      />
      {ticked.size > 0 && (
        <Suspense fallback={null}>
          <BulkActionsBar
            selected={ticked}
            filters={filters}
            pageSelected={shown.length > 0 && shown.every((id) => ticked.has(id))}
            allMatching={allMatching}
            onSelectAllMatching={() => setAllMatching(true)}
            onDone={clear}
          />
        </Suspense>
      )}
      <CustomersTable
        filters={filters}
        onSortChange={(sort) => setFilters({ sort })}
        selected={ticked}
        onSelectedChange={tick}
      />
      {exporting && (
        <Suspense fallback={null}>
          <ExportModal filters={filters} onClose={() => setExporting(false)} />
        </Suspense>
      )}
    </>
  )
}
