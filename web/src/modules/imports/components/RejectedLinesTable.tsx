import { Alert, Group, Loader, Stack, Table, Text, Title } from '@mantine/core'
import type { ReactNode } from 'react'
import { errorMessage } from '../../../platform/api.ts'
import { useRejectedLines } from '../hooks/useImports.ts'
import { formatCount } from '../format.ts'
import { Pager, useCursorPages } from './Pager.tsx'

const pageSize = 25

/**
 * The rejected lines of an import or of its dry run, by line number, a page at a time: every
 * problem of a line, one row each.
 */
export function RejectedLinesTable({
  importId,
  total,
  action,
}: {
  importId: string
  total: number
  /** Shown by the title, e.g. the error file's download. */
  action?: ReactNode
}) {
  const pages = useCursorPages()
  const { data, error, isPending } = useRejectedLines(importId, pages.cursor, pageSize)
  if (total === 0) return null
  if (isPending) return <Loader size="sm" aria-label="Loading the rejected lines" />
  if (error) {
    return (
      <Alert color="red" role="alert" title="The rejected lines could not be read">
        {errorMessage(error)}
      </Alert>
    )
  }
  return (
    <Stack gap="xs" component="section" aria-labelledby={`rejected-${importId}`}>
      <Group justify="space-between" gap="sm">
        <div>
          <Title order={2} size="h4" id={`rejected-${importId}`}>
            Rejected lines ({formatCount(total)})
          </Title>
          <Text size="sm" c="dimmed">
            These lines are left out; the other lines are imported.
          </Text>
        </div>
        {action}
      </Group>
      <Table.ScrollContainer minWidth={560}>
        <Table withTableBorder striped aria-label="Rejected lines">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col" w={70}>
                Line
              </Table.Th>
              <Table.Th scope="col">Column</Table.Th>
              <Table.Th scope="col">Value</Table.Th>
              <Table.Th scope="col">Reason</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.data.flatMap((row) =>
              row.problems.map((problem, index) => (
                <Table.Tr key={`${row.line}-${index}`}>
                  {index === 0 && (
                    <Table.Td rowSpan={row.problems.length} style={{ verticalAlign: 'top' }}>
                      {row.line}
                    </Table.Td>
                  )}
                  <Table.Td>{problem.column ?? '—'}</Table.Td>
                  <Table.Td style={{ wordBreak: 'break-word' }}>{problem.value ?? '—'}</Table.Td>
                  <Table.Td>{problem.reason}</Table.Td>
                </Table.Tr>
              )),
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager
        label="Pages of rejected lines"
        page={pages.page}
        nextCursor={data.nextCursor}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
    </Stack>
  )
}
