import { Alert, Loader, Stack, Title } from '@mantine/core'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { errorMessage } from '../../../platform/api.ts'
import { customersKey } from '../../customers/hooks/useCustomers.ts'
import { AdminOnly } from '../../settings/components/AdminOnly.tsx'
import { useIsAdmin } from '../../session/hooks/useSession.ts'
import { useConnections, useContactSource } from '../hooks/useIntegrations.ts'
import { ConnectForm } from './ConnectForm.tsx'
import { ConnectionCard } from './ConnectionCard.tsx'
import { ConsentOutcome } from './ConsentOutcome.tsx'
import { ContactSourceCard } from './ContactSourceCard.tsx'

/** The runs that ended, so the customers refresh when a sync brings changes. */
function useCustomersRefreshAfterRuns(finished: string) {
  const client = useQueryClient()
  useEffect(() => {
    if (finished) void client.invalidateQueries({ queryKey: customersKey })
  }, [client, finished])
}

/** Settings → Integrations: the connected billing systems and where contacts come from. */
export function IntegrationsPanel() {
  const isAdmin = useIsAdmin()
  const connections = useConnections(isAdmin)
  const source = useContactSource(isAdmin)
  const finished = (connections.data ?? [])
    .map((c) => (c.lastRun?.finishedAt ? c.lastRun.id : ''))
    .join()
  useCustomersRefreshAfterRuns(finished)
  if (!isAdmin) return <AdminOnly what="connect billing systems and manage their syncs" />
  const error = connections.error ?? source.error
  if (error) {
    return (
      <Alert color="red" role="alert">
        {errorMessage(error)}
      </Alert>
    )
  }
  if (!connections.data || !source.data) return <Loader aria-label="Loading the integrations" />
  return (
    <>
      <ConsentOutcome />
      <Title order={2} size="h4" mb="sm">
        Connected systems
      </Title>
      {connections.data.length === 0 ? (
        <Alert color="gray" role="note" mb="md">
          No system is connected yet: customers and contacts are managed in Roster.
        </Alert>
      ) : (
        <Stack mb="md">
          {connections.data.map((connection) => (
            <ConnectionCard key={connection.id} connection={connection} />
          ))}
        </Stack>
      )}
      <ContactSourceCard source={source.data} connections={connections.data} />
      <ConnectForm />
    </>
  )
}
