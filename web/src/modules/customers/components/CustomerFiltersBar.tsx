import { Group, Select, TextInput } from '@mantine/core'
import { useDebouncedCallback } from '@mantine/hooks'
import { IconSearch } from '@tabler/icons-react'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { recordSources, sourceNames } from '@contracts/customers.ts'
import { useAccountManagers, useWorkflows } from '../../organization/hooks/useOrganization.ts'
import { fetchReachCounts, type CustomerFilters } from '../api/customers.ts'
import { customersKey } from '../hooks/useCustomers.ts'

const sourceOptions = recordSources.map((value) => ({ value, label: sourceNames[value] }))

/** Search (names, customer IDs, contact names and emails) and the account manager, workflow and source filters. */
export function CustomerFiltersBar({
  filters,
  onChange,
}: {
  filters: CustomerFilters
  onChange: (change: Partial<CustomerFilters>) => void
}) {
  const [q, setQ] = useState(filters.q)
  const search = useDebouncedCallback((value: string) => onChange({ q: value.trim() }), 250)
  const managers = useAccountManagers()
  const workflows = useWorkflows()
  const reach = useQuery({ queryKey: [...customersKey, 'reach'], queryFn: fetchReachCounts })
  const count = (n: number | undefined) => (n === undefined ? '' : ` (${String(n)})`)
  return (
    <Group gap="sm" mb="md" align="flex-end" wrap="wrap">
      <TextInput
        type="search"
        label="Search"
        placeholder="Name, customer ID, contact name or email"
        leftSection={<IconSearch size={16} aria-hidden />}
        value={q}
        onChange={(event) => {
          setQ(event.currentTarget.value)
          search(event.currentTarget.value)
        }}
        w={{ base: '100%', sm: 320 }}
      />
      <Select
        label="Account manager"
        placeholder="Anyone"
        clearable
        searchable
        data={(managers.data ?? []).map((m) => ({ value: m.email, label: m.name ?? m.email }))}
        value={filters.accountManager}
        onChange={(value) => onChange({ accountManager: value })}
        w={{ base: '100%', xs: 200 }}
      />
      <Select
        label="Workflow"
        placeholder="Any"
        clearable
        searchable
        data={(workflows.data ?? []).map((w) => w.name)}
        value={filters.workflow}
        onChange={(value) => onChange({ workflow: value })}
        w={{ base: '100%', xs: 180 }}
      />
      <Select
        label="Source"
        placeholder="Any"
        clearable
        data={sourceOptions}
        value={filters.source}
        onChange={(value) => onChange({ source: value })}
        w={{ base: '100%', xs: 160 }}
      />
      <Select
        label="Reminders"
        placeholder="Any"
        clearable
        data={[
          {
            value: 'unreachable',
            label: `No reachable recipient${count(reach.data?.unreachable)}`,
          },
          { value: 'bounced', label: `Bounced contacts${count(reach.data?.bounced)}` },
        ]}
        value={filters.reach}
        onChange={(value) =>
          onChange({ reach: value === 'unreachable' || value === 'bounced' ? value : null })
        }
        w={{ base: '100%', xs: 240 }}
      />
    </Group>
  )
}
