import { Button, Group, Switch } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { lazy, Suspense, useCallback, useState } from 'react'
import { AddCustomersMenu } from '../modules/customers/components/AddCustomersMenu.tsx'
import { CustomerFiltersBar } from '../modules/customers/components/CustomerFiltersBar.tsx'
import { CustomersTable } from '../modules/customers/components/CustomersTable.tsx'
import type { CustomerFilters } from '../modules/customers/api/customers.ts'
import { useCustomerFilters } from '../modules/customers/hooks/useCustomerFilters.ts'
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
  const [exporting, setExporting] = useState(false)
  const clear = useCallback(() => setSelected(new Set()), [])
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
      {selected.size > 0 && (
        <Suspense fallback={null}>
          <BulkActionsBar selected={selected} archivedList={filters.archived} onDone={clear} />
        </Suspense>
      )}
      <CustomersTable
        filters={filters}
        onSortChange={(sort) => setFilters({ sort })}
        selected={selected}
        onSelectedChange={setSelected}
      />
      {exporting && (
        <Suspense fallback={null}>
          <ExportModal filters={filters} onClose={() => setExporting(false)} />
        </Suspense>
      )}
    </>
  )
}
