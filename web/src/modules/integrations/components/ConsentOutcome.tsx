import { Alert, Button, Card, Group, Loader, Select, Text, Title } from '@mantine/core'
import { useEffect, useState, type SubmitEvent } from 'react'
import { useSearchParams } from 'react-router'
import { errorMessage } from '../../../platform/api.ts'
import { notifySaved } from '../../../platform/notify.ts'
import { useConsentChoice, usePickTenant } from '../hooks/useIntegrations.ts'
import { systemName } from './systems.ts'

/**
 * Where a system's consent page sends the admin back (`?consent=…`): connected, refused with the
 * reason, or a choice among the organisations the access reaches.
 */
export function ConsentOutcome() {
  const [params, setParams] = useSearchParams()
  const outcome = params.get('consent')
  const clear = () => {
    setParams({}, { replace: true })
  }
  useEffect(() => {
    if (outcome !== 'connected') return
    notifySaved('The connection is made; its first sync has started.')
    setParams({}, { replace: true })
  }, [outcome, setParams])
  if (outcome === 'error') {
    return (
      <Alert color="red" role="alert" mb="md" withCloseButton onClose={clear} title="Not connected">
        {params.get('message') ?? 'The connection could not be made.'}
      </Alert>
    )
  }
  if (outcome === 'choose') return <TenantChoice id={params.get('id') ?? ''} onDone={clear} />
  return null
}

function TenantChoice({ id, onDone }: { id: string; onDone: () => void }) {
  const choice = useConsentChoice(id)
  const pick = usePickTenant()
  const [tenantId, setTenantId] = useState<string | null>(null)
  if (choice.error) {
    return (
      <Alert color="red" role="alert" mb="md" withCloseButton onClose={onDone}>
        {errorMessage(choice.error)}
      </Alert>
    )
  }
  if (!choice.data) return <Loader aria-label="Loading the organisations" />
  const name = systemName(choice.data.system)
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    if (!tenantId) return
    pick.mutate(
      { id, tenantId },
      {
        onSuccess: (connection) => {
          notifySaved(`${connection.name} is connected; its first sync has started.`)
          onDone()
        },
      },
    )
  }
  return (
    <Card withBorder padding="lg" mb="md">
      <Title order={2} size="h4" mb="xs">
        Which {name} organisation?
      </Title>
      <Text size="sm" mb="sm">
        The access you allowed reaches several organisations in {name}: choose the one whose
        customers Roster syncs.
      </Text>
      <form onSubmit={submit} aria-label={`Choose the ${name} organisation`}>
        {pick.error && (
          <Alert color="red" role="alert" mb="sm">
            {errorMessage(pick.error)}
          </Alert>
        )}
        <Select
          label="Organisation"
          data={choice.data.tenants.map((t) => ({ value: t.id, label: t.name }))}
          value={tenantId}
          onChange={setTenantId}
          allowDeselect={false}
        />
        <Group mt="md">
          <Button type="submit" disabled={!tenantId} loading={pick.isPending}>
            Connect this organisation
          </Button>
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
        </Group>
      </form>
    </Card>
  )
}
