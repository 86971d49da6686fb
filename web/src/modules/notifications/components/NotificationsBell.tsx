import {
  ActionIcon,
  Button,
  Group,
  Indicator,
  Popover,
  ScrollArea,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core'
import { IconBell } from '@tabler/icons-react'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { useSignedIn } from '../../session/hooks/useSession.ts'
import type { Notification } from '../api/notifications.ts'
import { useMarkRead, useNotifications } from '../hooks/useNotifications.ts'

/** Where a notification leads: the import or the webhook endpoint it is about, if any. */
const linkOf = (notification: Notification): string | null =>
  notification.subject?.importId
    ? `/imports/${notification.subject.importId}`
    : notification.subject?.webhookEndpointId
      ? '/settings/webhooks'
      : null

/** The bell in the header: the unread count, and the latest notifications to read. */
export function NotificationsBell() {
  const { member } = useSignedIn()
  const list = useNotifications(member !== null)
  const mark = useMarkRead()
  const navigate = useNavigate()
  const [opened, setOpened] = useState(false)
  if (!member) return null
  const unread = list.data?.unread ?? 0
  const open = (notification: Notification): void => {
    if (!notification.readAt) mark.one.mutate(notification.id)
    const link = linkOf(notification)
    if (link) {
      setOpened(false)
      void navigate(link)
    }
  }
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={360} shadow="md">
      <Popover.Target>
        <Indicator label={unread} size={18} disabled={unread === 0} offset={4} color="red">
          <ActionIcon
            variant="subtle"
            size="lg"
            aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
            aria-expanded={opened}
            onClick={() => setOpened((o) => !o)}
          >
            <IconBell size={20} aria-hidden />
          </ActionIcon>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown role="dialog" aria-label="Notifications">
        <Group justify="space-between" mb="xs">
          <Text fw={700}>Notifications</Text>
          <Button
            size="compact-xs"
            variant="subtle"
            disabled={unread === 0}
            onClick={() => mark.all.mutate()}
          >
            Mark all read
          </Button>
        </Group>
        <ScrollArea.Autosize mah={400}>
          <Stack gap={4}>
            {list.data?.data.length === 0 && (
              <Text size="sm" c="dimmed" py="sm">
                Nothing yet: you are told here when an import finishes or fails.
              </Text>
            )}
            {list.data?.data.map((notification) => (
              <UnstyledButton
                key={notification.id}
                onClick={() => open(notification)}
                p="xs"
                style={{
                  borderRadius: 'var(--mantine-radius-sm)',
                  background: notification.readAt ? undefined : 'var(--mantine-color-indigo-light)',
                }}
                aria-label={`${notification.readAt ? '' : 'Unread: '}${notification.title}`}
              >
                <Text size="sm" fw={notification.readAt ? 400 : 700}>
                  {notification.title}
                </Text>
                <Text size="xs">{notification.body}</Text>
                <Text size="xs" c="dimmed">
                  {new Date(notification.createdAt).toLocaleString()}
                </Text>
              </UnstyledButton>
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  )
}
