import { AddCustomersMenu } from '../modules/imports/components/AddCustomersMenu.tsx'
import { PageTitle } from '../platform/PageTitle.tsx'

export function CustomersPage() {
  return <PageTitle title="Customers" actions={<AddCustomersMenu />} />
}
