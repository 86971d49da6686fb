import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core'
import { useState } from 'react'

const WORD = 'ERASE'

/**
 * Asks an admin to type ERASE before a contact's personal data is erased: it cannot be undone,
 * and it also deletes the imported files that hold the person.
 */
export function EraseContactModal({
  name,
  customerName,
  erasing,
  onErase,
  onClose,
}: {
  name: string
  customerName: string
  erasing: boolean
  onErase: () => void
  onClose: () => void
}) {
  const [typed, setTyped] = useState('')
  return (
    <Modal opened onClose={onClose} title={`Erase ${name}'s personal data?`}>
      <Stack>
        <Text size="sm">
          The name, email, phone and job title of this contact of {customerName} are removed from
          Roster: from the contact, from the history, from the reminders sent to it and from every
          import. Imported files that hold the person are deleted. The history keeps a line saying
          that a contact was erased. This cannot be undone.
        </Text>
        <TextInput
          label={`Type ${WORD} to confirm`}
          value={typed}
          onChange={(event) => setTyped(event.currentTarget.value)}
          autoComplete="off"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" disabled={typed.trim() !== WORD} loading={erasing} onClick={onErase}>
            Erase personal data
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
