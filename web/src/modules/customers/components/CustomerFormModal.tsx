import { Alert, Button, Group, Modal, SimpleGrid, Stack, TextInput } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import { customerDetailFields } from '@contracts/fields.ts'
import type { Customer } from '../api/customers.ts'
import { useUpdateCustomer } from '../hooks/useCustomer.ts'

// The customer's own fields, as the catalogue declares them (src/contracts/fields.ts).
const editable = customerDetailFields.map(({ key, label }) => [key, label] as const)

/** Edits the customer's own fields; the API normalises country and currency and says what is wrong. */
export function CustomerFormModal({
  customer,
  onClose,
}: {
  customer: Customer
  onClose: () => void
}) {
  const [values, setValues] = useState(
    () =>
      Object.fromEntries(
        editable.map(([key]) => [key, (customer[key as keyof Customer] as string | null) ?? '']),
      ) as Record<string, string>,
  )
  const update = useUpdateCustomer(customer.id, { ownErrors: true })
  const error = update.error
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    update.mutate(values, { onSuccess: onClose })
  }
  return (
    <Modal opened onClose={onClose} title={`Edit ${customer.name}`} size="lg">
      <form onSubmit={submit} aria-label="Edit customer" noValidate>
        <Stack>
          {error && (
            <Alert color="red" role="alert">
              {errorMessage(error)}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {editable.map(([key, label]) => (
              <TextInput
                key={key}
                label={label}
                required={key === 'name'}
                value={values[key]}
                onChange={(event) => {
                  const value = event.currentTarget.value
                  setValues((current) => ({ ...current, [key]: value }))
                }}
                error={error instanceof ApiError ? error.fieldError(key) : undefined}
              />
            ))}
          </SimpleGrid>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
