import { PageTitle } from '../platform/PageTitle.tsx'

export function ProfilePage() {
  return <PageTitle title="Profile" />
}
