import { Card, MultiSelect, Select, SimpleGrid, Text, Title } from '@mantine/core'
import { useAccountManagers, useWorkflows } from '../../organization/hooks/useOrganization.ts'
import type { Customer } from '../api/customers.ts'
import { useUpdateCustomer } from '../hooks/useCustomer.ts'

/** Account managers and workflow: Roster's own, editable whatever the customer's source. */
export function AssignmentCard({ customer }: { customer: Customer }) {
  const managers = useAccountManagers()
  const workflows = useWorkflows()
  const update = useUpdateCustomer(customer.id)
  const managerOptions = [
    ...(managers.data ?? []).map((m) => ({ value: m.email, label: m.name ?? m.email })),
    // An assigned manager missing from the members list still shows, by email.
    ...customer.accountManagers
      .filter((email) => !managers.data?.some((m) => m.email === email))
      .map((email) => ({ value: email, label: email })),
  ]
  return (
    <Card withBorder padding="lg">
      <Title order={2} size="h4" mb="xs">
        Assignment
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Managed in Roster, whatever the customer&apos;s source.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <MultiSelect
          label="Account managers"
          placeholder={customer.accountManagers.length ? undefined : 'Nobody'}
          searchable
          data={managerOptions}
          value={customer.accountManagers}
          onChange={(accountManagers) => update.mutate({ accountManagers })}
          nothingFoundMessage="No member with the account manager role"
        />
        <Select
          label="Workflow"
          placeholder="No workflow"
          clearable
          searchable
          data={(workflows.data ?? []).map((w) => w.name)}
          value={customer.workflow}
          onChange={(workflow) => update.mutate({ workflow })}
        />
      </SimpleGrid>
    </Card>
  )
}
