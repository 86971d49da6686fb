import { Button, Menu, Text } from '@mantine/core'
import { modals } from '@mantine/modals'
import { IconArchive, IconChevronDown, IconRestore, IconTrash } from '@tabler/icons-react'
import { useNavigate } from 'react-router'
import type { Customer } from '../api/customers.ts'
import { useCustomerLifecycle } from '../hooks/useCustomer.ts'

/**
 * Archive, restore or delete a customer. A synced customer's lifecycle belongs to its source
 * (the sync archives what the source deletes), so only Roster's own customers offer these.
 */
export function CustomerLifecycle({ customer }: { customer: Customer }) {
  const { archive, restore, remove } = useCustomerLifecycle(customer.id)
  const navigate = useNavigate()
  if (customer.source !== 'roster') return null
  if (customer.archivedAt) {
    return (
      <Button
        variant="default"
        leftSection={<IconRestore size={16} aria-hidden />}
        loading={restore.isPending}
        onClick={() => restore.mutate()}
      >
        Restore
      </Button>
    )
  }
  const confirmArchive = (): void => {
    modals.openConfirmModal({
      title: `Archive ${customer.name}?`,
      children: (
        <Text size="sm">
          It leaves the customers list and receives no more reminders; its contacts and history are
          kept, and you can restore it at any time.
        </Text>
      ),
      labels: { confirm: 'Archive customer', cancel: 'Cancel' },
      onConfirm: () => archive.mutate(),
    })
  }
  const confirmDelete = (): void => {
    modals.openConfirmModal({
      title: `Delete ${customer.name}?`,
      children: (
        <Text size="sm">
          The customer and its contacts are removed; its subsidiaries stay, outside any group. This
          cannot be undone. A customer that was sent reminders cannot be deleted: archive it
          instead.
        </Text>
      ),
      labels: { confirm: 'Delete customer', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => remove.mutate(undefined, { onSuccess: () => void navigate('/customers') }),
    })
  }
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button variant="default" rightSection={<IconChevronDown size={16} aria-hidden />}>
          More
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconArchive size={16} aria-hidden />} onClick={confirmArchive}>
          Archive
        </Menu.Item>
        <Menu.Item
          color="red"
          leftSection={<IconTrash size={16} aria-hidden />}
          onClick={confirmDelete}
        >
          Delete
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  )
}
