import { notifications } from '@mantine/notifications'

/** A short confirmation, and the warnings the API gave with a write (a phone kept as typed…). */
export function notifySaved(message: string, warnings: { message: string }[] = []): void {
  notifications.show({ color: 'green', message })
  for (const warning of warnings) {
    notifications.show({
      color: 'yellow',
      title: 'Saved, with a warning',
      message: warning.message,
    })
  }
}
