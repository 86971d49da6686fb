import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { modals } from '@mantine/modals'
import { useState, type SubmitEvent } from 'react'
import { errorMessage } from '../../../platform/api.ts'
import type { ApiKey, ApiKeyCreated } from '../../organization/api/organization.ts'
import {
  useApiKeys,
  useCreateApiKey,
  useRevokeApiKey,
} from '../../organization/hooks/useOrganization.ts'
import { useIsAdmin } from '../../session/hooks/useSession.ts'
import { AdminOnly } from './AdminOnly.tsx'

const when = (at: string | null): string => (at ? new Date(at).toLocaleString() : '—')

/** The key, shown once right after it is created, with a button to copy it. */
function CreatedKey({ created, onClose }: { created: ApiKeyCreated; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title={`API key ${created.name}`} size="lg">
      <Stack>
        <Alert color="yellow" role="note">
          Copy the key now: Roster keeps only a fingerprint of it and cannot show it again.
        </Alert>
        <Code block aria-label="New API key">
          {created.key}
        </Code>
        <Group justify="flex-end">
          <CopyButton value={created.key}>
            {({ copied, copy }) => (
              <Button color={copied ? 'teal' : undefined} onClick={copy}>
                {copied ? 'Copied' : 'Copy the key'}
              </Button>
            )}
          </CopyButton>
          <Button variant="default" onClick={onClose}>
            Done
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}

function CreateKeyForm({ onCreated }: { onCreated: (key: ApiKeyCreated) => void }) {
  const [name, setName] = useState('')
  const create = useCreateApiKey()
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    create.mutate(name || 'API key', {
      onSuccess: (created) => {
        setName('')
        onCreated(created)
      },
    })
  }
  return (
    <Card withBorder padding="lg" mb="md">
      <Title order={2} size="h4" mb="xs">
        Create an API key
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        A key acts as an admin of the organisation in the REST API and the command line.
      </Text>
      <form onSubmit={submit} aria-label="Create an API key" noValidate>
        {create.error && (
          <Alert color="red" role="alert" mb="sm">
            {errorMessage(create.error)}
          </Alert>
        )}
        <Group align="flex-end">
          <TextInput
            label="Key name"
            placeholder="ERP sync"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Button type="submit" loading={create.isPending}>
            Create key
          </Button>
        </Group>
      </form>
    </Card>
  )
}

/** API keys: created (shown once), listed with their last use, revoked. Admins only. */
export function ApiKeysPanel() {
  const isAdmin = useIsAdmin()
  const keys = useApiKeys(isAdmin)
  const revoke = useRevokeApiKey()
  const [created, setCreated] = useState<ApiKeyCreated | null>(null)
  if (!isAdmin) return <AdminOnly what="see, create and revoke API keys" />
  const confirmRevoke = (key: ApiKey): void => {
    modals.openConfirmModal({
      title: `Revoke ${key.name}?`,
      children: (
        <Text size="sm">
          Programs using the key {key.prefix}… stop working at once. This cannot be undone.
        </Text>
      ),
      labels: { confirm: 'Revoke key', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => revoke.mutate(key.id),
    })
  }
  return (
    <>
      <CreateKeyForm onCreated={setCreated} />
      {created && <CreatedKey created={created} onClose={() => setCreated(null)} />}
      <Table.ScrollContainer minWidth={640} type="native">
        <Table aria-label="API keys" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Key</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(keys.data ?? []).map((key) => (
              <Table.Tr key={key.id}>
                <Table.Td>{key.name}</Table.Td>
                <Table.Td>
                  <Code>{key.prefix}…</Code>
                </Table.Td>
                <Table.Td>{when(key.createdAt)}</Table.Td>
                <Table.Td>{when(key.lastUsedAt)}</Table.Td>
                <Table.Td>
                  {key.revokedAt ? (
                    <Badge color="gray" tt="none">
                      Revoked {new Date(key.revokedAt).toLocaleDateString()}
                    </Badge>
                  ) : (
                    <Button
                      size="compact-sm"
                      variant="light"
                      color="red"
                      aria-label={`Revoke ${key.name}`}
                      onClick={() => confirmRevoke(key)}
                    >
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  )
}
