import { AddCustomersMenu } from '../modules/customers/components/AddCustomersMenu.tsx'
import { CustomerFiltersBar } from '../modules/customers/components/CustomerFiltersBar.tsx'
import { CustomersTable } from '../modules/customers/components/CustomersTable.tsx'
import { useCustomerFilters } from '../modules/customers/hooks/useCustomerFilters.ts'
import { PageTitle } from '../platform/PageTitle.tsx'

export function CustomersPage() {
  const [filters, setFilters] = useCustomerFilters()
  return (
    <>
      <PageTitle title="Customers" actions={<AddCustomersMenu />} />
      <CustomerFiltersBar filters={filters} onChange={setFilters} />
      <CustomersTable filters={filters} onSortChange={(sort) => setFilters({ sort })} />
    </>
  )
}
