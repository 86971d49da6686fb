import { PageTitle } from '../platform/PageTitle.tsx'

export function ImportsPage() {
  return <PageTitle title="Imports" />
}
