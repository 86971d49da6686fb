import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Menu,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core'
import { modals } from '@mantine/modals'
import {
  IconAlertTriangle,
  IconCheck,
  IconChevronDown,
  IconCopy,
  IconRefresh,
} from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import type { Connection } from '../api/integrations.ts'
import {
  isRunning,
  useRemoveConnection,
  useSyncNow,
  useConnectors,
  useUpdateConnection,
} from '../hooks/useIntegrations.ts'
import { countsText, runStatusColors, runStatusNames, when } from './format.ts'
import { ReconnectModal } from './ReconnectModal.tsx'
import { AccountMatches } from './AccountMatches.tsx'
import { RunHistory } from './RunHistory.tsx'
import { systemName } from './systems.ts'

const statuses: Record<Connection['status'], { label: string; color: string }> = {
  active: { label: 'Active', color: 'teal' },
  paused: { label: 'Paused', color: 'gray' },
  needs_reconnection: { label: 'Needs reconnection', color: 'red' },
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  )
}

function LastSync({ connection }: { connection: Connection }) {
  const run = connection.lastRun
  if (!run) return <>Not yet</>
  return (
    <Stack gap={2}>
      <Group gap="xs">
        <Badge color={runStatusColors[run.status]} variant="light" tt="none">
          {runStatusNames[run.status]}
        </Badge>
        <span>{when(run.finishedAt ?? run.startedAt ?? run.queuedAt)}</span>
      </Group>
      {run.status !== 'queued' && <span>{countsText(run)}</span>}
      {run.error && (
        <Text size="sm" c="red">
          {run.error}
        </Text>
      )}
    </Stack>
  )
}

function nextSync(connection: Connection): string {
  if (connection.status === 'paused') return 'Paused'
  if (connection.status === 'needs_reconnection') return 'After it is reconnected'
  if (isRunning(connection)) return 'Running now'
  return connection.nextSyncAt ? `At ${when(connection.nextSyncAt)} or later` : '—'
}

/** One connected system: its status, last and next sync, webhook URL, actions and run history. */
export function ConnectionCard({ connection }: { connection: Connection }) {
  const [reconnecting, setReconnecting] = useState(false)
  const [history, setHistory] = useState(false)
  const [matching, setMatching] = useState(false)
  const sync = useSyncNow()
  const update = useUpdateConnection()
  const remove = useRemoveConnection()
  const status = statuses[connection.status]
  const system = systemName(connection.system)
  const running = isRunning(connection)
  const paused = connection.status === 'paused'
  // A system that sends no webhooks declares no webhook header: no URL to give it.
  const descriptor = useConnectors().data?.find((c) => c.system === connection.system)
  const webhooks = descriptor !== undefined && descriptor.webhookHeader !== null

  const confirmRemove = (): void => {
    modals.openConfirmModal({
      title: `Remove ${connection.name}?`,
      children: (
        <Stack gap="xs">
          <Text size="sm">
            Roster stops syncing from {system} and deletes this connection&apos;s run history.
          </Text>
          <Text size="sm">
            The customers it brought, and their contacts, stay in Roster as Roster&apos;s own:
            editable here, no longer updated from {system}.
            {connection.isContactSource &&
              ' Contacts are synced from this connection: Roster becomes the contact source until you pick another connection.'}
          </Text>
        </Stack>
      ),
      labels: { confirm: 'Remove connection', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => remove.mutate(connection.id),
    })
  }

  return (
    <Card withBorder padding="lg" component="section" aria-label={connection.name}>
      <Group justify="space-between" align="flex-start" mb="sm" wrap="wrap">
        <div>
          <Title order={3} size="h4">
            {connection.name}
          </Title>
          <Group gap="xs" mt={4}>
            <Badge variant="outline" color="grape" tt="none">
              {system}
            </Badge>
            <Badge color={status.color} variant="light" tt="none">
              {status.label}
            </Badge>
            {connection.isContactSource && (
              <Badge color="blue" variant="light" tt="none">
                Contact source
              </Badge>
            )}
          </Group>
        </div>
        <Group gap="xs" wrap="wrap">
          <Button.Group>
            <Button
              leftSection={<IconRefresh size={16} aria-hidden />}
              loading={sync.isPending}
              disabled={connection.status !== 'active'}
              onClick={() => sync.mutate({ id: connection.id, full: false })}
            >
              Sync now
            </Button>
            <Menu position="bottom-end">
              <Menu.Target>
                <Button
                  px={8}
                  disabled={connection.status !== 'active'}
                  aria-label={`More ways to sync ${connection.name}`}
                >
                  <IconChevronDown size={16} aria-hidden />
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => sync.mutate({ id: connection.id, full: true })}>
                  Full sync (reads every customer again)
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Button.Group>
          {connection.status !== 'needs_reconnection' && (
            <Button
              variant="default"
              loading={update.isPending}
              onClick={() => update.mutate({ id: connection.id, patch: { paused: !paused } })}
            >
              {paused ? 'Resume' : 'Pause'}
            </Button>
          )}
          <Button variant="default" onClick={() => setReconnecting(true)}>
            Reconnect
          </Button>
          <Button variant="light" color="red" onClick={confirmRemove}>
            Remove
          </Button>
        </Group>
      </Group>

      {connection.status === 'needs_reconnection' && (
        <Alert
          color="red"
          role="alert"
          mb="sm"
          icon={<IconAlertTriangle size={18} aria-hidden />}
          title="Roster cannot read this system any more"
        >
          {connection.statusMessage ?? `${system} refused the stored credentials.`} Reconnect it
          with a new API key to sync again.
        </Alert>
      )}
      {connection.status !== 'needs_reconnection' && connection.statusMessage && (
        <Text size="sm" c="dimmed" mb="sm">
          {connection.statusMessage}
        </Text>
      )}

      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
        <Fact label="Last sync">
          <LastSync connection={connection} />
        </Fact>
        <Fact label="Next sync">{nextSync(connection)}</Fact>
        {webhooks && (
          <Fact label="Webhook URL">
            <Group gap={4} wrap="nowrap">
              <Code style={{ wordBreak: 'break-all' }}>{connection.webhookUrl}</Code>
              <CopyButton value={connection.webhookUrl}>
                {({ copied, copy }) => (
                  <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
                    <ActionIcon
                      variant="subtle"
                      color={copied ? 'teal' : 'gray'}
                      onClick={copy}
                      aria-label={`Copy the webhook URL of ${connection.name}`}
                    >
                      {copied ? (
                        <IconCheck size={16} aria-hidden />
                      ) : (
                        <IconCopy size={16} aria-hidden />
                      )}
                    </ActionIcon>
                  </Tooltip>
                )}
              </CopyButton>
            </Group>
            <Text size="xs" c="dimmed" mt={4}>
              Paste it in {system}&apos;s webhook settings so changes arrive within seconds.
            </Text>
            {connection.webhookUrlLocal && (
              <Alert
                color="yellow"
                mt="xs"
                icon={<IconAlertTriangle size={18} aria-hidden />}
                title={`${system} cannot reach this address`}
              >
                It points at this machine: ROSTER_PUBLIC_URL is not set, or names localhost. Ask
                whoever runs Roster to set it to the address people open Roster at (like
                https://roster.example.com) and restart it; the webhook URL then changes.
              </Alert>
            )}
          </Fact>
        )}
      </SimpleGrid>

      <Button
        variant="subtle"
        size="compact-sm"
        px={0}
        mt="md"
        aria-expanded={history}
        onClick={() => setHistory(!history)}
      >
        {history ? 'Hide the run history' : 'Show the run history'}
      </Button>
      {history && (
        <div>
          <RunHistory connection={connection} running={running} />
        </div>
      )}
      {descriptor?.feeds === 'contacts' && (
        <>
          <Button
            variant="subtle"
            size="compact-sm"
            px={0}
            mt="xs"
            aria-expanded={matching}
            onClick={() => setMatching(!matching)}
          >
            {matching ? 'Hide the matching' : 'Show the matching of customers'}
          </Button>
          {matching && <AccountMatches connection={connection} />}
        </>
      )}
      {reconnecting && (
        <ReconnectModal connection={connection} onClose={() => setReconnecting(false)} />
      )}
    </Card>
  )
}
