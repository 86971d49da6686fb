import { Anchor, Badge, Group, Text } from '@mantine/core'
import {
  columnSizingFeature,
  columnVisibilityFeature,
  createColumnHelper,
  rowSortingFeature,
  tableFeatures,
} from '@tanstack/react-table'
import { Link } from 'react-router'
import type { Customer } from '../api/customers.ts'
import { useMembers } from '../../organization/hooks/useOrganization.ts'
import { SourceBadge } from './SourceBadge.tsx'

export const features = tableFeatures({
  columnSizingFeature,
  columnVisibilityFeature,
  rowSortingFeature,
})

/** On a phone the table keeps the columns that identify a customer and whom to write to. */
export const phoneColumns = {
  externalId: false,
  accountManagers: false,
  workflow: false,
  group: false,
  createdAt: false,
}
const helper = createColumnHelper<typeof features, Customer>()

export const contactName = (contact: {
  email: string | null
  firstName: string | null
  lastName: string | null
}): string =>
  [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email || 'No name'

const dash = (
  <Text c="dimmed" span>
    —
  </Text>
)

/** Account managers by name (their email when they have none). */
function ManagerNames({ emails }: { emails: string[] }) {
  const members = useMembers()
  const nameOf = (email: string): string =>
    members.data?.find((m) => m.email === email)?.name ?? email
  return <Text size="sm">{emails.map(nameOf).join(', ')}</Text>
}

/** The table's columns; the ids of sortable ones are the API's `sort` keys. */
export const customerColumns = helper.columns([
  helper.accessor('name', {
    header: 'Name',
    size: 240,
    cell: ({ row }) => (
      <Anchor component={Link} to={`/customers/${row.original.id}`} fw={500}>
        {row.original.name}
      </Anchor>
    ),
  }),
  helper.accessor('externalId', {
    header: 'Customer ID',
    size: 130,
    cell: ({ getValue }) => getValue() ?? dash,
  }),
  helper.accessor('mainContact', {
    header: 'Main contact',
    enableSorting: false,
    size: 220,
    cell: ({ getValue, row }) => {
      const main = getValue()
      const bounced = row.original.bouncedContacts
      // Reminders pass over a contact whose email bounced: said on the row.
      const mark =
        bounced > 0 ? (
          <Badge color="red" size="sm" title="Emails that bounced: reminders pass them over">
            {bounced === 1 ? '1 bounced' : `${String(bounced)} bounced`}
          </Badge>
        ) : null
      if (!main) return mark ?? dash
      return (
        <div>
          <Group gap={6} wrap="nowrap">
            <Text size="sm">{contactName(main)}</Text>
            {mark}
          </Group>
          {main.email && contactName(main) !== main.email && (
            <Text size="xs" c="dimmed">
              {main.email}
            </Text>
          )}
        </div>
      )
    },
  }),
  helper.accessor('accountManagers', {
    header: 'Account managers',
    enableSorting: false,
    size: 200,
    cell: ({ getValue }) => (getValue().length > 0 ? <ManagerNames emails={getValue()} /> : dash),
  }),
  helper.accessor('workflow', {
    header: 'Workflow',
    enableSorting: false,
    size: 140,
    cell: ({ getValue }) => getValue() ?? dash,
  }),
  helper.accessor('source', {
    header: 'Source',
    enableSorting: false,
    size: 110,
    cell: ({ getValue }) => <SourceBadge source={getValue()} />,
  }),
  helper.accessor((customer) => customer.group?.name ?? null, {
    id: 'group',
    header: 'Group',
    enableSorting: false,
    size: 160,
    cell: ({ getValue }) => getValue() ?? dash,
  }),
  helper.accessor('createdAt', {
    header: 'Added',
    size: 110,
    sortDescFirst: true,
    cell: ({ getValue }) => new Date(getValue()).toLocaleDateString(),
  }),
])
