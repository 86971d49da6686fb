import { Alert, Button, Group, List, Modal, Stack, Text, TextInput } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import { notifySaved } from '../../../platform/notify.ts'
import { useDisconnectContacts } from '../hooks/useIntegrations.ts'

const word = 'DISCONNECT'

/** The irreversible switch of the contact source to Roster, confirmed by typing a word. */
export function DisconnectModal({ system, onClose }: { system: string; onClose: () => void }) {
  const [typed, setTyped] = useState('')
  const disconnect = useDisconnectContacts()
  const error = disconnect.error instanceof ApiError ? disconnect.error : null
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    if (typed !== word) return
    disconnect.mutate(typed, {
      onSuccess: () => {
        notifySaved(`Contacts are disconnected from ${system}: Roster is now their source.`)
        onClose()
      },
    })
  }
  return (
    <Modal opened onClose={onClose} title={`Disconnect contacts from ${system}?`} size="lg">
      <form onSubmit={submit} aria-label={`Disconnect contacts from ${system}`} noValidate>
        <Stack gap="sm">
          <Alert color="red" role="note" title="This cannot be undone">
            Once contacts are disconnected, they can never be synced from {system}, or from any
            other connection, again.
          </Alert>
          <Text size="sm">What happens:</Text>
          <List size="sm" spacing={4}>
            <List.Item>The contacts Roster has now stay, and become editable in Roster.</List.Item>
            <List.Item>
              Later syncs keep updating customers from {system}, but never their contacts.
            </List.Item>
            <List.Item>Contacts created in Roster are never written to {system}.</List.Item>
          </List>
          {disconnect.error && (
            <Alert color="red" role="alert">
              {errorMessage(disconnect.error)}
            </Alert>
          )}
          <TextInput
            label={`Type ${word} to confirm`}
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            error={error?.fieldError('confirm')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              color="red"
              disabled={typed !== word}
              loading={disconnect.isPending}
            >
              Disconnect contacts
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
