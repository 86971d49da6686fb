import { Alert, Center, Loader } from '@mantine/core'
import type { ReactNode } from 'react'
import { Navigate, useLocation } from 'react-router'
import { errorMessage } from '../../../platform/api.ts'
import { useSession } from '../hooks/useSession.ts'

/** Shows its children to a signed-in member; sends anyone else to the sign-in page. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { data: session, isPending, error } = useSession()
  const location = useLocation()
  if (isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    )
  }
  if (error) {
    return (
      <Center mih="100vh" p="md">
        <Alert color="red" role="alert" title="Roster cannot be reached">
          {errorMessage(error)}
        </Alert>
      </Center>
    )
  }
  if (!session) {
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />
  }
  return children
}
