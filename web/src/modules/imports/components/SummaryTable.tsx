import { Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core'
import type { ImportSummary } from '../api/imports.ts'
import { formatCount, plural } from '../format.ts'

const headings = {
  future: ['Will create', 'Will update', 'Will stay unchanged', 'Will be rejected'],
  past: ['Created', 'Updated', 'Unchanged', 'Rejected'],
}

/** Lines, customers and contacts by what the import does (future) or did (past) with them. */
export function SummaryTable({
  summary,
  tense,
  caption,
}: {
  summary: ImportSummary
  tense: 'future' | 'past'
  caption: string
}) {
  const { lines, customers, contacts } = summary
  const rows = [
    { label: 'Lines', counts: lines, rejected: lines.rejected },
    { label: 'Customers', counts: customers, rejected: null },
    { label: 'Contacts', counts: contacts, rejected: null },
  ]
  return (
    <Stack gap="xs">
      <div>
        <Title order={2} size="h4">
          {caption}
        </Title>
        <Text size="sm" c="dimmed">
          {plural(lines.total, 'line')} read from the file.
        </Text>
      </div>
      <Table.ScrollContainer minWidth={420}>
        <Table withTableBorder tabularNums aria-label={caption}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">
                <VisuallyHidden>Counted in</VisuallyHidden>
              </Table.Th>
              {headings[tense].map((heading) => (
                <Table.Th key={heading} scope="col" ta="right">
                  {heading}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map(({ label, counts, rejected }) => (
              <Table.Tr key={label}>
                <Table.Th scope="row">{label}</Table.Th>
                <Table.Td ta="right">{formatCount(counts.created)}</Table.Td>
                <Table.Td ta="right">{formatCount(counts.updated)}</Table.Td>
                <Table.Td ta="right">{formatCount(counts.unchanged)}</Table.Td>
                <Table.Td
                  ta="right"
                  c={rejected ? 'red' : undefined}
                  fw={rejected ? 700 : undefined}
                  aria-label={rejected === null ? 'Not counted' : undefined}
                >
                  {rejected === null ? '—' : formatCount(rejected)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  )
}
