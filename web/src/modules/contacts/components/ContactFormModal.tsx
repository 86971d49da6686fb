import { Alert, Button, Checkbox, Group, Modal, Select, Stack, TextInput } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import type { Contact, ContactCreate, ContactRole } from '../api/contacts.ts'
import { roleOptions } from './roles.ts'

interface Values {
  email: string
  firstName: string
  lastName: string
  phone: string
  externalId: string
  role: ContactRole | null
  isMain: boolean
}

const valuesOf = (contact: Contact | null): Values => ({
  email: contact?.email ?? '',
  firstName: contact?.firstName ?? '',
  lastName: contact?.lastName ?? '',
  phone: contact?.phone ?? '',
  externalId: contact?.externalId ?? '',
  role: contact?.role ?? null,
  isMain: contact?.isMain ?? false,
})

/** Adds a contact, or edits one (`contact`); the API's errors show on their fields. */
export function ContactFormModal({
  contact,
  opened,
  onClose,
  onSubmit,
  saving,
  error,
}: {
  contact: Contact | null
  opened: boolean
  onClose: () => void
  onSubmit: (values: ContactCreate) => void
  saving: boolean
  error: Error | null
}) {
  const [values, setValues] = useState(() => valuesOf(contact))
  const set = (change: Partial<Values>): void => setValues((current) => ({ ...current, ...change }))
  const fieldError = (path: string): string | undefined =>
    error instanceof ApiError ? error.fieldError(path) : undefined
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    onSubmit({ ...values })
  }
  const text = (
    name: 'email' | 'firstName' | 'lastName' | 'phone' | 'externalId',
    label: string,
    warning?: string,
  ) => (
    <TextInput
      label={label}
      description={warning}
      inputWrapperOrder={['label', 'input', 'description', 'error']}
      value={values[name]}
      onChange={(event) => set({ [name]: event.currentTarget.value })}
      error={fieldError(name)}
      required={name === 'email'}
      type={name === 'email' ? 'email' : 'text'}
    />
  )
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={contact ? `Edit ${contact.email}` : 'Add a contact'}
    >
      <form onSubmit={submit} aria-label={contact ? 'Edit contact' : 'Add contact'} noValidate>
        <Stack>
          {error && (
            <Alert color="red" role="alert">
              {errorMessage(error)}
            </Alert>
          )}
          {text('email', 'Email')}
          <Group grow>
            {text('firstName', 'First name')}
            {text('lastName', 'Family name')}
          </Group>
          {text(
            'phone',
            'Phone number',
            contact?.phoneKeptAsTyped && values.phone === contact.phone
              ? 'Kept as typed: Roster could not read it as a phone number. Write it with its country code (+33…) or as a number of the organisation’s country.'
              : undefined,
          )}
          {text('externalId', 'Contact ID')}
          <Select
            label="Role"
            placeholder="No role"
            clearable
            data={roleOptions}
            value={values.role}
            onChange={(role) => set({ role })}
            error={fieldError('role')}
          />
          <Checkbox
            label="Main contact"
            description="Reminders go to the main contact; the customer's previous main contact is unset."
            checked={values.isMain}
            onChange={(event) => set({ isMain: event.currentTarget.checked })}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {contact ? 'Save' : 'Add contact'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
