import { Alert, Center, Loader } from '@mantine/core'
import { ProfileForm } from '../modules/notifications/components/ProfileForm.tsx'
import { useProfile } from '../modules/notifications/hooks/useNotifications.ts'
import { errorMessage } from '../platform/api.ts'
import { PageTitle } from '../platform/PageTitle.tsx'

export function ProfilePage() {
  const profile = useProfile()
  return (
    <>
      <PageTitle title="Profile" />
      {profile.isPending && (
        <Center p="xl">
          <Loader aria-label="Loading your profile" />
        </Center>
      )}
      {profile.error && (
        <Alert color="red" role="alert">
          {errorMessage(profile.error)}
        </Alert>
      )}
      {profile.data && <ProfileForm profile={profile.data} />}
    </>
  )
}
