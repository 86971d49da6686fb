import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { IconPencil } from '@tabler/icons-react'
import { useState } from 'react'
import { customerDetailFields } from '@contracts/fields.ts'
import type { Customer } from '../api/customers.ts'
import { CustomerFormModal } from './CustomerFormModal.tsx'
import { SourceLock } from './SourceLock.tsx'

// The customer's own fields, as the catalogue declares them (src/contracts/fields.ts).
const fields = customerDetailFields.map(({ key, label }): [keyof Customer, string] => [
  key as keyof Customer,
  label,
])

/** The customer's own fields; read-only, saying where to change them, when a source owns them. */
export function CustomerDetailsCard({ customer }: { customer: Customer }) {
  const [editing, setEditing] = useState(false)
  const owned = customer.source !== 'roster'
  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          Details
        </Title>
        {!owned && (
          <Button
            variant="light"
            leftSection={<IconPencil size={16} aria-hidden />}
            onClick={() => setEditing(true)}
          >
            Edit details
          </Button>
        )}
      </Group>
      <Stack gap="sm">
        {owned && (
          <SourceLock source={customer.source}>
            This customer&apos;s details are read-only in Roster.
          </SourceLock>
        )}
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm" component="dl" m={0}>
          {fields.map(([key, label]) => (
            <div key={key}>
              <Text component="dt" size="xs" c="dimmed">
                {label}
              </Text>
              <Text component="dd" m={0} size="sm">
                {(customer[key] as string | null) ?? '—'}
              </Text>
            </div>
          ))}
          <div>
            <Text component="dt" size="xs" c="dimmed">
              Group
            </Text>
            <Text component="dd" m={0} size="sm">
              {customer.group?.name ?? '—'}
            </Text>
          </div>
        </SimpleGrid>
      </Stack>
      {editing && <CustomerFormModal customer={customer} onClose={() => setEditing(false)} />}
    </Card>
  )
}
