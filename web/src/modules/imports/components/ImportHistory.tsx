import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  Select,
  Stack,
  Table,
  Text,
} from '@mantine/core'
import { IconTrash } from '@tabler/icons-react'
import { useState } from 'react'
import { Link } from 'react-router'
import { errorMessage } from '../../../platform/api.ts'
import { originalFileUrl, type ImportRecord } from '../api/imports.ts'
import { useDiscardImport, useHistory } from '../hooks/useImports.ts'
import {
  formatCount,
  formatDateTime,
  isSubmitted,
  plural,
  statusInfo,
  type ImportStatus,
} from '../format.ts'
import { Pager, useCursorPages } from './Pager.tsx'
import { StatusBadge } from './StatusBadge.tsx'

const pageSize = 20

/** The history's filter: the statuses each choice keeps (the two of "Not submitted" together). */
const filters: { value: string; label: string; statuses: ImportStatus[] }[] = [
  { value: 'unsubmitted', label: 'Not submitted', statuses: ['uploaded', 'mapped'] },
  { value: 'active', label: 'Waiting or running', statuses: ['queued', 'running'] },
  ...(['completed', 'failed', 'cancelled'] as const).map((status) => ({
    value: status,
    label: statusInfo[status].label,
    statuses: [status],
  })),
]

/** Whether an import was never submitted, and so may be discarded. */
const discardable = (record: ImportRecord): boolean =>
  !isSubmitted(record.status) || (record.status === 'cancelled' && !record.startedAt)

/** Discards an import never submitted; it leaves the history. */
function DiscardButton({ record }: { record: ImportRecord }) {
  const discard = useDiscardImport()
  if (!discardable(record)) return null
  return (
    <ActionIcon
      variant="subtle"
      color="red"
      aria-label={`Discard ${record.fileName}`}
      title="Discard this upload, never submitted"
      loading={discard.isPending}
      onClick={() => discard.mutate(record.id)}
    >
      <IconTrash size={16} aria-hidden />
    </ActionIcon>
  )
}

function Counts({ record }: { record: ImportRecord }) {
  const summary = record.summary
  if (!summary || !isSubmitted(record.status)) {
    return (
      <Table.Td colSpan={5} c="dimmed">
        —
      </Table.Td>
    )
  }
  const { lines } = summary
  return (
    <>
      <Table.Td ta="right">{formatCount(lines.total)}</Table.Td>
      <Table.Td ta="right">{formatCount(lines.created)}</Table.Td>
      <Table.Td ta="right">{formatCount(lines.updated)}</Table.Td>
      <Table.Td ta="right">{formatCount(lines.unchanged)}</Table.Td>
      <Table.Td ta="right" c={lines.rejected > 0 ? 'red' : undefined}>
        {formatCount(lines.rejected)}
      </Table.Td>
    </>
  )
}

/** An import as a card, for a phone's narrow screen. */
function HistoryCard({ record }: { record: ImportRecord }) {
  const lines = isSubmitted(record.status) ? record.summary?.lines : undefined
  return (
    <Paper withBorder p="sm" component="li" style={{ listStyle: 'none' }}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Anchor
          href={originalFileUrl(record.id)}
          download={record.fileName}
          fw={600}
          style={{ wordBreak: 'break-word' }}
        >
          {record.fileName}
        </Anchor>
        <Group gap={4} wrap="nowrap">
          <StatusBadge status={record.status} />
          <DiscardButton record={record} />
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        <Anchor component={Link} to={`/imports/${record.id}`} size="sm">
          {formatDateTime(record.createdAt)}
        </Anchor>{' '}
        by {record.createdBy.label}
      </Text>
      {lines && (
        <Text size="sm">
          {plural(lines.total, 'line')}: {formatCount(lines.created)} created,{' '}
          {formatCount(lines.updated)} updated, {formatCount(lines.unchanged)} unchanged,{' '}
          <Text span c={lines.rejected > 0 ? 'red' : undefined} size="sm">
            {formatCount(lines.rejected)} rejected
          </Text>
        </Text>
      )}
    </Paper>
  )
}

/** Every import of the organisation, newest first, a page at a time. */
export function ImportHistory() {
  const pages = useCursorPages()
  const [filter, setFilter] = useState<string | null>(null)
  const statuses = filters.find((f) => f.value === filter)?.statuses ?? null
  const { data, error, isPending } = useHistory(pages.cursor, pageSize, statuses)
  const filterSelect = (
    <Select
      label="Status"
      placeholder="All imports"
      data={filters.map(({ value, label }) => ({ value, label }))}
      value={filter}
      onChange={(next) => {
        setFilter(next)
        pages.reset()
      }}
      clearable
      w={220}
    />
  )
  if (isPending) return <Loader aria-label="Loading the import history" />
  if (error) {
    return (
      <Alert color="red" role="alert" title="The import history could not be read">
        {errorMessage(error)}
      </Alert>
    )
  }
  if (data.data.length === 0 && pages.page === 1 && statuses) {
    return (
      <Stack align="flex-start">
        {filterSelect}
        <Text>No import has this status.</Text>
      </Stack>
    )
  }
  if (data.data.length === 0 && pages.page === 1) {
    return (
      <Stack align="flex-start">
        <Text>No file has been imported yet.</Text>
        <Button component={Link} to="/imports/new">
          Import or Assign customers
        </Button>
      </Stack>
    )
  }
  return (
    <Stack gap="sm">
      {filterSelect}
      <Stack gap="xs" hiddenFrom="sm" component="ul" p={0} m={0} aria-label="Imports">
        {data.data.map((record) => (
          <HistoryCard key={record.id} record={record} />
        ))}
      </Stack>
      <Table.ScrollContainer minWidth={900} visibleFrom="sm">
        <Table striped highlightOnHover withTableBorder tabularNums aria-label="Import history">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Date</Table.Th>
              <Table.Th scope="col">Member</Table.Th>
              <Table.Th scope="col">File</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col" ta="right">
                Lines
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Created
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Updated
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Unchanged
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Rejected
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.data.map((record) => (
              <Table.Tr key={record.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/imports/${record.id}`}>
                    {formatDateTime(record.createdAt)}
                  </Anchor>
                </Table.Td>
                <Table.Td>{record.createdBy.label}</Table.Td>
                <Table.Td style={{ wordBreak: 'break-word' }}>
                  <Anchor
                    href={originalFileUrl(record.id)}
                    download={record.fileName}
                    title="Download the file as it was uploaded"
                  >
                    {record.fileName}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <StatusBadge status={record.status} />
                    <DiscardButton record={record} />
                    {record.undo && (
                      <Badge
                        color="gray"
                        variant="outline"
                        title={`Undone: ${record.undo.customers.removed} customers and ${record.undo.contacts.removed} contacts removed, ${record.undo.customers.restored + record.undo.contacts.restored} records put back`}
                      >
                        Undone
                      </Badge>
                    )}
                    {record.retryOf && (
                      <Anchor component={Link} to={`/imports/${record.retryOf}`} size="xs">
                        fixed lines
                      </Anchor>
                    )}
                  </Group>
                </Table.Td>
                <Counts record={record} />
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager
        label="Pages of the import history"
        page={pages.page}
        nextCursor={data.nextCursor}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
    </Stack>
  )
}
