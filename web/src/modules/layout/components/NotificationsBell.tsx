import { ActionIcon } from '@mantine/core'
import { IconBell } from '@tabler/icons-react'

export function NotificationsBell() {
  return (
    <ActionIcon variant="subtle" size="lg" aria-label="Notifications" disabled>
      <IconBell size={20} aria-hidden />
    </ActionIcon>
  )
}
