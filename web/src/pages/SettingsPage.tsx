import { PageTitle } from '../platform/PageTitle.tsx'

export function SettingsPage() {
  return <PageTitle title="Settings" />
}
