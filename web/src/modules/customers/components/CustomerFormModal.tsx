import { Alert, Button, Group, Modal, SimpleGrid, Stack, TextInput } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import { customerDetailFields } from '@contracts/fields.ts'
import type { Customer } from '../api/customers.ts'
import { useCreateCustomer, useUpdateCustomer } from '../hooks/useCustomer.ts'

// The customer's own fields, as the catalogue declares them (src/contracts/fields.ts).
const editable = customerDetailFields.map(({ key, label }) => [key, label] as const)

/**
 * Edits the customer's own fields, or with no customer creates one (then `onCreated`); the API
 * normalises country and currency and says what is wrong.
 */
export function CustomerFormModal({
  customer,
  onClose,
  onCreated,
}: {
  customer?: Customer
  onClose: () => void
  onCreated?: (created: Customer) => void
}) {
  const [values, setValues] = useState(
    () =>
      Object.fromEntries(
        editable.map(([key]) => [
          key,
          (customer?.[key as keyof Customer] as string | null | undefined) ?? '',
        ]),
      ) as Record<string, string>,
  )
  const update = useUpdateCustomer(customer?.id ?? '', { ownErrors: true })
  const create = useCreateCustomer()
  const pending = customer ? update.isPending : create.isPending
  const error = customer ? update.error : create.error
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    if (customer) {
      update.mutate(values, { onSuccess: onClose })
      return
    }
    // A new customer: only the fields filled in.
    const given = Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim()))
    create.mutate({ name: '', ...given }, { onSuccess: (created) => onCreated?.(created) })
  }
  const title = customer ? `Edit ${customer.name}` : 'New customer'
  return (
    <Modal opened onClose={onClose} title={title} size="lg">
      <form onSubmit={submit} aria-label={customer ? 'Edit customer' : 'New customer'} noValidate>
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
            <Button type="submit" loading={pending}>
              {customer ? 'Save' : 'Create customer'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
