import { Alert } from '@mantine/core'
import { IconShieldLock } from '@tabler/icons-react'

/** Why a member who is not an admin cannot change this. */
export function AdminOnly({ what }: { what: string }) {
  return (
    <Alert color="gray" icon={<IconShieldLock size={18} aria-hidden />} role="note" mb="md">
      Only admins can {what}. Ask an admin of your organisation if something needs to change.
    </Alert>
  )
}
