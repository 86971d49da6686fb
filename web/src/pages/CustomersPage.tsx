import { PageTitle } from '../platform/PageTitle.tsx'

export function CustomersPage() {
  return <PageTitle title="Customers" />
}
