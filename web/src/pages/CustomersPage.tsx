import { Button, Group, Switch } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { useCallback, useState } from 'react'
import { AddCustomersMenu } from '../modules/customers/components/AddCustomersMenu.tsx'
import { BulkActionsBar } from '../modules/customers/components/BulkActionsBar.tsx'
import { CustomerFiltersBar } from '../modules/customers/components/CustomerFiltersBar.tsx'
import { CustomersTable } from '../modules/customers/components/CustomersTable.tsx'
import { ExportModal } from '../modules/customers/components/ExportModal.tsx'
import type { CustomerFilters } from '../modules/customers/api/customers.ts'
import { useCustomerFilters } from '../modules/customers/hooks/useCustomerFilters.ts'
import { PageTitle } from '../platform/PageTitle.tsx'

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
      <BulkActionsBar selected={selected} archivedList={filters.archived} onDone={clear} />
      <CustomersTable
        filters={filters}
        onSortChange={(sort) => setFilters({ sort })}
        selected={selected}
        onSelectedChange={setSelected}
      />
      {exporting && <ExportModal filters={filters} onClose={() => setExporting(false)} />}
    </>
  )
}
