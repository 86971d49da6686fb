import { Alert, Button, Group, Loader, Modal, Stack, Text } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import { notifySaved } from '../../../platform/notify.ts'
import type { Connection } from '../api/integrations.ts'
import { useConnectors, useStartConsent, useUpdateConnection } from '../hooks/useIntegrations.ts'
import { ConnectorFields } from './SecretFields.tsx'
import { filledValues, systemName, type FieldValues } from './systems.ts'

/** New credentials for a connection: checked with the system, then they replace the old ones. */
export function ReconnectModal({
  connection,
  onClose,
}: {
  connection: Connection
  onClose: () => void
}) {
  const [secrets, setSecrets] = useState<FieldValues>({})
  const connectors = useConnectors()
  const update = useUpdateConnection({ ownErrors: true })
  const error = update.error instanceof ApiError ? update.error : null
  const name = systemName(connection.system)
  const consent = useStartConsent()
  const descriptor = connectors.data?.find((connector) => connector.system === connection.system)
  const fields = descriptor?.secrets ?? []
  if (descriptor?.auth === 'oauth2_authorization_code') {
    // Consent again: the connection keeps its app client and settings.
    return (
      <Modal opened onClose={onClose} title={`Reconnect ${connection.name}`} size="lg">
        <Stack gap="sm">
          <Text size="sm">
            {name} needs you to allow Roster again. You go to {name}, allow access, and come back
            here; the connection then syncs again.
          </Text>
          {consent.error && (
            <Alert color="red" role="alert">
              {errorMessage(consent.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              loading={consent.isPending || consent.isSuccess}
              onClick={() => {
                consent.mutate({ system: connection.system, connectionId: connection.id })
              }}
            >
              Continue to {name}
            </Button>
          </Group>
        </Stack>
      </Modal>
    )
  }
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    update.mutate(
      { id: connection.id, patch: { secrets: filledValues(fields, secrets) } },
      {
        onSuccess: () => {
          notifySaved(`${connection.name} is reconnected.`)
          onClose()
        },
      },
    )
  }
  return (
    <Modal opened onClose={onClose} title={`Reconnect ${connection.name}`} size="lg">
      <form onSubmit={submit} aria-label={`Reconnect ${connection.name}`} noValidate>
        <Stack gap="sm">
          <Text size="sm">
            Enter a new API key from {name}. Roster checks it with {name} before replacing the
            stored one; webhook secrets left empty stay as they are.
          </Text>
          {(update.error ?? connectors.error) && (
            <Alert color="red" role="alert">
              {errorMessage(update.error ?? connectors.error)}
            </Alert>
          )}
          {connectors.data ? (
            <ConnectorFields
              group="secrets"
              fields={fields}
              allFields={fields}
              values={secrets}
              onChange={setSecrets}
              error={error}
            />
          ) : (
            <Loader aria-label="Loading the systems" />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending}>
              Reconnect
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
