import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Group,
  Select,
  Switch,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core'
import { modals } from '@mantine/modals'
import { notifications } from '@mantine/notifications'
import {
  IconEraser,
  IconFileDownload,
  IconPencil,
  IconPlus,
  IconStar,
  IconTrash,
} from '@tabler/icons-react'
import { useState } from 'react'
import type { Customer } from '../../customers/api/customers.ts'
import { contactName } from '../../customers/components/customerColumns.tsx'
import { SourceBadge } from '../../customers/components/SourceBadge.tsx'
import { SourceLock } from '../../customers/components/SourceLock.tsx'
import { errorMessage } from '../../../platform/api.ts'
import { useIsAdmin } from '../../session/hooks/useSession.ts'
import { downloadPersonalData, type Contact } from '../api/contacts.ts'
import { useContacts, useContactWrites } from '../hooks/useContacts.ts'
import { ContactFormModal } from './ContactFormModal.tsx'
import { EraseContactModal } from './EraseContactModal.tsx'
import { roleOptions } from './roles.ts'

/** A customer's contacts, main contact first: add, edit, delete, make main, change the role. */
export function ContactsCard({ customer }: { customer: Customer }) {
  const contacts = useContacts(customer.id)
  const writes = useContactWrites(customer.id)
  const [editing, setEditing] = useState<Contact | 'new' | null>(null)
  const [erasing, setErasing] = useState<Contact | null>(null)
  const isAdmin = useIsAdmin()
  const exportData = (contact: Contact): void => {
    downloadPersonalData(contact.id).catch((error: unknown) =>
      notifications.show({
        color: 'red',
        title: 'The personal data could not be downloaded',
        message: errorMessage(error),
      }),
    )
  }
  const locked = customer.contactsLockedBy
  const close = (): void => {
    setEditing(null)
    writes.create.reset()
    writes.edit.reset()
  }
  const confirmDelete = (contact: Contact): void => {
    modals.openConfirmModal({
      title: `Delete ${contact.email ?? contactName(contact)}?`,
      children: (
        <Text size="sm">The contact is removed from {customer.name}. This cannot be undone.</Text>
      ),
      labels: { confirm: 'Delete contact', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => writes.remove.mutate(contact),
    })
  }

  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          Contacts
        </Title>
        {!locked && (
          <Button
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() => setEditing('new')}
          >
            Add a contact
          </Button>
        )}
      </Group>
      {locked && (
        <SourceLock source={locked}>
          The contacts of this customer are read-only in Roster.
        </SourceLock>
      )}
      <Table.ScrollContainer minWidth={860} type="native">
        <Table aria-label="Contacts" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Contact</Table.Th>
              <Table.Th>Phone</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Source</Table.Th>
              <Table.Th>Reminders</Table.Th>
              <Table.Th>
                <Text span size="sm" fw={700}>
                  Actions
                </Text>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(contacts.data ?? []).map((contact) => {
              const readOnly = contact.lockedBy !== null
              return (
                <Table.Tr key={contact.id}>
                  <Table.Td>
                    <Group gap="xs">
                      <Text size="sm" fw={500}>
                        {contactName(contact)}
                      </Text>
                      {contact.isMain && (
                        <Badge color="indigo" leftSection={<IconStar size={12} aria-hidden />}>
                          Main contact
                        </Badge>
                      )}
                      {contact.bouncedAt && (
                        <Badge color="red" title={contact.bounceReason ?? undefined}>
                          Bounced
                        </Badge>
                      )}
                      {contact.doNotRemind && <Badge color="gray">No reminders</Badge>}
                      {contact.email === null && (
                        <Badge color="orange">Not reachable: no email</Badge>
                      )}
                      {contact.emailOptedOut && <Badge color="gray">Opted out of email</Badge>}
                    </Group>
                    {contact.jobTitle && <Text size="xs">{contact.jobTitle}</Text>}
                    <Text size="xs" c="dimmed">
                      {contact.email ?? 'No email'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {contact.phone ?? '—'}
                    {contact.phoneKeptAsTyped && (
                      // Saved as typed: the warning of the write would otherwise be gone.
                      <Badge
                        color="yellow"
                        variant="light"
                        ml={6}
                        title="Roster could not read this as a phone number and kept it as typed: check it."
                      >
                        Kept as typed
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td miw={160}>
                    <Select
                      aria-label={`Role of ${contact.email ?? contactName(contact)}`}
                      placeholder="No role"
                      size="xs"
                      clearable
                      data={roleOptions}
                      value={contact.role}
                      disabled={readOnly}
                      onChange={(role) =>
                        writes.update.mutate({
                          id: contact.id,
                          patch: { role },
                        })
                      }
                    />
                  </Table.Td>
                  <Table.Td>
                    <SourceBadge source={contact.source} />
                  </Table.Td>
                  <Table.Td>
                    {/* Roster's own choice: open also on a contact a source owns. */}
                    <Switch
                      aria-label={`Send reminders to ${contact.email ?? contactName(contact)}`}
                      checked={!contact.doNotRemind}
                      disabled={writes.remind.isPending}
                      onChange={(event) =>
                        writes.remind.mutate({
                          id: contact.id,
                          email: contact.email ?? contactName(contact),
                          doNotRemind: !event.currentTarget.checked,
                        })
                      }
                    />
                  </Table.Td>
                  <Table.Td>
                    {isAdmin && (
                      <Group gap={4} wrap="nowrap" mb={4}>
                        <Tooltip label="Download personal data (JSON)">
                          <ActionIcon
                            variant="subtle"
                            aria-label={`Download the personal data of ${contact.email ?? contactName(contact)}`}
                            onClick={() => exportData(contact)}
                          >
                            <IconFileDownload size={16} aria-hidden />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label="Erase personal data (GDPR)">
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`Erase the personal data of ${contact.email ?? contactName(contact)}`}
                            onClick={() => setErasing(contact)}
                          >
                            <IconEraser size={16} aria-hidden />
                          </ActionIcon>
                        </Tooltip>
                      </Group>
                    )}
                    {readOnly ? (
                      <Text size="xs" c="dimmed">
                        Read-only
                      </Text>
                    ) : (
                      <Group gap={4} wrap="nowrap">
                        {!contact.isMain && (
                          <Button
                            size="compact-xs"
                            variant="light"
                            aria-label={`Make ${contact.email ?? contactName(contact)} the main contact`}
                            onClick={() =>
                              writes.update.mutate({ id: contact.id, patch: { isMain: true } })
                            }
                          >
                            Make main
                          </Button>
                        )}
                        <Tooltip label="Edit">
                          <ActionIcon
                            variant="subtle"
                            aria-label={`Edit ${contact.email ?? contactName(contact)}`}
                            onClick={() => setEditing(contact)}
                          >
                            <IconPencil size={16} aria-hidden />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label="Delete">
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`Delete ${contact.email ?? contactName(contact)}`}
                            onClick={() => confirmDelete(contact)}
                          >
                            <IconTrash size={16} aria-hidden />
                          </ActionIcon>
                        </Tooltip>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              )
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {contacts.data?.length === 0 && (
        <Text c="dimmed" size="sm" mt="sm">
          No contacts yet.
        </Text>
      )}
      {erasing && (
        <EraseContactModal
          name={erasing.email ?? contactName(erasing)}
          customerName={customer.name}
          erasing={writes.erase.isPending}
          onClose={() => setErasing(null)}
          onErase={() => writes.erase.mutate(erasing.id, { onSuccess: () => setErasing(null) })}
        />
      )}
      {editing && (
        <ContactFormModal
          key={editing === 'new' ? 'new' : editing.id}
          contact={editing === 'new' ? null : editing}
          opened
          onClose={close}
          saving={writes.create.isPending || writes.edit.isPending}
          error={editing === 'new' ? writes.create.error : writes.edit.error}
          onSubmit={(values) =>
            editing === 'new'
              ? writes.create.mutate(values, { onSuccess: close })
              : writes.edit.mutate({ id: editing.id, patch: values }, { onSuccess: close })
          }
        />
      )}
    </Card>
  )
}
