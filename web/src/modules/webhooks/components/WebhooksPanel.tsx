import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { modals } from '@mantine/modals'
import {
  webhookEventTypes,
  type WebhookDeliveryStatus,
  type WebhookEventType,
} from '@contracts/webhooks.ts'
import { useState, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import { useIsAdmin } from '../../session/hooks/useSession.ts'
import { AdminOnly } from '../../settings/components/AdminOnly.tsx'
import type { WebhookEndpoint, WebhookEndpointWithSecret } from '../api/webhooks.ts'
import {
  useCreateEndpoint,
  useDeliveries,
  useEndpointActions,
  useEndpoints,
  useReplay,
} from '../hooks/useWebhooks.ts'

const eventLabels: Record<WebhookEventType, string> = {
  'customer.created': 'A customer is created',
  'customer.updated': 'A customer is changed',
  'customer.archived': 'A customer is archived',
  'contact.created': 'A contact is added',
  'contact.updated': 'A contact is changed',
  'contact.deleted': 'A contact is deleted',
  'import.completed': 'An import completed',
  'sync.completed': 'A sync completed',
}

const statusColors: Record<WebhookDeliveryStatus, string> = {
  pending: 'yellow',
  sending: 'blue',
  delivered: 'teal',
  failed: 'red',
}

const when = (at: string | null): string => (at ? new Date(at).toLocaleString() : '—')

/** The signing secret, shown once right after it is made. */
function ShownSecret({
  endpoint,
  onClose,
}: {
  endpoint: WebhookEndpointWithSecret
  onClose: () => void
}) {
  return (
    <Modal opened onClose={onClose} title="Signing secret" size="lg">
      <Stack>
        <Alert color="yellow" role="note">
          Copy the secret now: it is not shown again. The receiver at {endpoint.url} checks each
          call&apos;s <Code>webhook-signature</Code> with it (Standard Webhooks).
        </Alert>
        <Code block aria-label="Signing secret">
          {endpoint.secret}
        </Code>
        <Group justify="flex-end">
          <CopyButton value={endpoint.secret}>
            {({ copied, copy }) => (
              <Button color={copied ? 'teal' : undefined} onClick={copy}>
                {copied ? 'Copied' : 'Copy the secret'}
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

function AddEndpointForm({ onCreated }: { onCreated: (e: WebhookEndpointWithSecret) => void }) {
  const [url, setUrl] = useState('')
  const [description, setDescription] = useState('')
  const [events, setEvents] = useState<string[]>([])
  const create = useCreateEndpoint()
  const fieldError = (path: string): string | undefined =>
    create.error instanceof ApiError
      ? create.error.details.find((d) => d.path === path || d.path?.startsWith(`${path}.`))?.message
      : undefined
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    create.mutate(
      { url, description, events: events as WebhookEventType[] },
      {
        onSuccess: (created) => {
          setUrl('')
          setDescription('')
          setEvents([])
          onCreated(created)
        },
      },
    )
  }
  return (
    <Card withBorder padding="lg" mb="md">
      <Title order={2} size="h4" mb="xs">
        Add a webhook endpoint
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Roster posts each change you choose to this address, signed, with the fields that changed
        and who changed them. It retries for a day, then turns the endpoint off and tells the
        admins.
      </Text>
      <form onSubmit={submit} aria-label="Add a webhook endpoint" noValidate>
        {create.error && (
          <Alert color="red" role="alert" mb="sm">
            {errorMessage(create.error)}
          </Alert>
        )}
        <Stack>
          <TextInput
            label="Endpoint URL"
            placeholder="https://erp.example.com/roster-events"
            value={url}
            required
            error={fieldError('url')}
            onChange={(e) => setUrl(e.currentTarget.value)}
          />
          <TextInput
            label="Description"
            placeholder="ERP"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <Checkbox.Group
            label="Events"
            value={events}
            onChange={setEvents}
            error={fieldError('events')}
          >
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
              {webhookEventTypes.map((type) => (
                <Checkbox key={type} value={type} label={`${eventLabels[type]} (${type})`} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <Group>
            <Button type="submit" loading={create.isPending}>
              Add endpoint
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  )
}

function DeliveryLog({ endpoint, onClose }: { endpoint: WebhookEndpoint; onClose: () => void }) {
  const deliveries = useDeliveries(endpoint.id)
  const replay = useReplay(endpoint.id)
  return (
    <Modal opened onClose={onClose} title={`Deliveries to ${endpoint.url}`} size="xl">
      {deliveries.data?.length === 0 && (
        <Text c="dimmed">Nothing was sent yet: changes you subscribed to appear here.</Text>
      )}
      <Table.ScrollContainer minWidth={720} type="native">
        <Table aria-label="Deliveries" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Event</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Answer</Table.Th>
              <Table.Th>Last attempt</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(deliveries.data ?? []).map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  <Code>{d.eventType}</Code>
                  {d.replayOf && (
                    <Badge ml="xs" variant="light" tt="none">
                      replay
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={statusColors[d.status]} tt="none">
                    {d.status}
                  </Badge>
                </Table.Td>
                <Table.Td>{d.attempts}</Table.Td>
                <Table.Td>
                  {d.responseStatus ?? '—'}
                  {d.durationMs !== null && ` in ${String(d.durationMs)} ms`}
                  {d.error && (
                    <Text size="xs" c="red">
                      {d.error}
                    </Text>
                  )}
                  {d.nextAttemptAt && (
                    <Text size="xs" c="dimmed">
                      next try {when(d.nextAttemptAt)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{when(d.lastAttemptAt)}</Table.Td>
                <Table.Td>
                  <Button
                    size="compact-sm"
                    variant="light"
                    aria-label={`Replay ${d.eventType} of ${when(d.createdAt)}`}
                    loading={replay.isPending && replay.variables === d.id}
                    onClick={() => replay.mutate(d.id)}
                  >
                    Replay
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Modal>
  )
}

/** Outbound webhook endpoints: added (secret shown once), turned off and on, their log. Admins. */
export function WebhooksPanel() {
  const isAdmin = useIsAdmin()
  const endpoints = useEndpoints(isAdmin)
  const { update, rotate, remove } = useEndpointActions()
  const [secret, setSecret] = useState<WebhookEndpointWithSecret | null>(null)
  const [log, setLog] = useState<WebhookEndpoint | null>(null)
  if (!isAdmin) return <AdminOnly what="see and manage webhook endpoints" />
  const confirmRemove = (endpoint: WebhookEndpoint): void => {
    modals.openConfirmModal({
      title: `Remove the endpoint ${endpoint.url}?`,
      children: <Text size="sm">Nothing more is sent there, and its delivery log goes.</Text>,
      labels: { confirm: 'Remove endpoint', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => remove.mutate(endpoint.id),
    })
  }
  const confirmRotate = (endpoint: WebhookEndpoint): void => {
    modals.openConfirmModal({
      title: 'Make a new signing secret?',
      children: (
        <Text size="sm">
          The current secret stops signing at once: update the receiver at {endpoint.url} with the
          new one.
        </Text>
      ),
      labels: { confirm: 'New secret', cancel: 'Cancel' },
      onConfirm: () => rotate.mutate(endpoint.id, { onSuccess: setSecret }),
    })
  }
  return (
    <>
      <AddEndpointForm onCreated={setSecret} />
      {secret && <ShownSecret endpoint={secret} onClose={() => setSecret(null)} />}
      {log && <DeliveryLog endpoint={log} onClose={() => setLog(null)} />}
      <Table.ScrollContainer minWidth={720} type="native">
        <Table aria-label="Webhook endpoints" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Endpoint</Table.Th>
              <Table.Th>Events</Table.Th>
              <Table.Th>On</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(endpoints.data ?? []).map((endpoint) => (
              <Table.Tr key={endpoint.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {endpoint.url}
                  </Text>
                  {endpoint.description && (
                    <Text size="xs" c="dimmed">
                      {endpoint.description}
                    </Text>
                  )}
                  {endpoint.disabledReason && (
                    <Text size="xs" c="red">
                      {endpoint.disabledReason}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {endpoint.events.map((type) => (
                      <Badge key={type} variant="light" tt="none">
                        {type}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Switch
                    aria-label={`Send to ${endpoint.url}`}
                    checked={endpoint.enabled}
                    onChange={(e) =>
                      update.mutate({
                        id: endpoint.id,
                        patch: { enabled: e.currentTarget.checked },
                      })
                    }
                  />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      size="compact-sm"
                      variant="light"
                      aria-label={`Deliveries to ${endpoint.url}`}
                      onClick={() => setLog(endpoint)}
                    >
                      Deliveries
                    </Button>
                    <Button
                      size="compact-sm"
                      variant="default"
                      aria-label={`New secret for ${endpoint.url}`}
                      onClick={() => confirmRotate(endpoint)}
                    >
                      New secret
                    </Button>
                    <Button
                      size="compact-sm"
                      variant="light"
                      color="red"
                      aria-label={`Remove ${endpoint.url}`}
                      onClick={() => confirmRemove(endpoint)}
                    >
                      Remove
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  )
}
