import { Alert, Button, Group, Loader, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { cellProblem } from '@contracts/imports.ts'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { errorMessage } from '../../../platform/api.ts'
import type { ImportRecord, RejectedLine } from '../api/imports.ts'
import { useRejectedCells, useRejectedLines, useRetryImport } from '../hooks/useImports.ts'
import { columnName } from '../fields.ts'
import { Pager, useCursorPages } from './Pager.tsx'

const pageSize = 25

/** The cells a member changed, by line then by column index. */
type Edits = Record<number, Record<number, string>>

/**
 * The rejected lines as an editable grid of the file's own columns, the reasons on the cells at
 * fault, each cell checked again as it is typed by the API's rule for its field; "Import the
 * fixed lines" imports the lines changed, and only them, as a follow-up import.
 */
export function FixRejectedLines({ record }: { record: ImportRecord }) {
  const pages = useCursorPages()
  const cells = useRejectedCells(record.id, pages.cursor, pageSize)
  // Several reasons may name one line: enough of them for the page's lines.
  const reasons = useRejectedLines(record.id, pages.cursor, pageSize * 4)
  const retry = useRetryImport(record.id)
  const navigate = useNavigate()
  const [edits, setEdits] = useState<Edits>({})
  if (cells.isPending || reasons.isPending) {
    return <Loader size="sm" aria-label="Loading the lines to fix" />
  }
  if (cells.error ?? reasons.error) {
    return (
      <Alert color="red" role="alert" title="The rejected lines could not be read">
        {errorMessage(cells.error ?? reasons.error)}
      </Alert>
    )
  }
  const mapping = record.mapping ?? []
  const byLine = new Map<number, RejectedLine[]>()
  for (const reason of reasons.data.data) {
    byLine.set(reason.line, [...(byLine.get(reason.line) ?? []), reason])
  }
  const valueOf = (line: number, index: number, original: string): string =>
    edits[line]?.[index] ?? original
  const problemOf = (line: number, index: number, original: string): string | null => {
    const edited = edits[line]?.[index]
    const field = mapping[index]
    if (edited !== undefined) return field ? cellProblem(field, edited) : null
    const name = record.columns[index]
    const found = byLine.get(line)?.filter((r) => r.column !== null && r.column === name)
    if (found && found.length > 0) return found.map((r) => r.reason).join(' ')
    return field ? cellProblem(field, original) : null
  }
  const changed = Object.keys(edits).map(Number)
  const stillWrong = cells.data.data.some(({ line, cells: row }) =>
    row.some((cell, index) => edits[line] !== undefined && problemOf(line, index, cell) !== null),
  )
  const submit = () => {
    const lines = changed.map((line) => ({
      line,
      values: Object.fromEntries(
        Object.entries(edits[line] ?? {}).map(([index, value]) => [
          record.columns[Number(index)] ?? '',
          value,
        ]),
      ),
    }))
    retry.mutate({ lines }, { onSuccess: (follow) => void navigate(`/imports/${follow.id}`) })
  }

  return (
    <Stack gap="xs" component="section" aria-labelledby={`fix-${record.id}`}>
      <Group justify="space-between" gap="sm">
        <div>
          <Title order={2} size="h4" id={`fix-${record.id}`}>
            Fix the rejected lines
          </Title>
          <Text size="sm" c="dimmed">
            Correct the cells in red, then import the lines you changed; the others stay out.
          </Text>
        </div>
        <Button
          onClick={submit}
          disabled={changed.length === 0 || stillWrong}
          loading={retry.isPending}
        >
          Import the fixed lines
        </Button>
      </Group>
      {retry.error && (
        <Alert color="red" role="alert" title="The fixed lines were not imported">
          {errorMessage(retry.error)}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={560}>
        <Table withTableBorder aria-label="Lines to fix">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col" w={70}>
                Line
              </Table.Th>
              {record.columns.map((_, index) => (
                <Table.Th scope="col" key={index}>
                  {columnName(record.columns, index)}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {cells.data.data.map(({ line, cells: row }) => (
              <Table.Tr key={line}>
                <Table.Td>{line}</Table.Td>
                {row.map((cell, index) => {
                  const problem = problemOf(line, index, cell)
                  return (
                    <Table.Td key={index} miw={140}>
                      <TextInput
                        size="xs"
                        aria-label={`${columnName(record.columns, index)}, line ${line}`}
                        value={valueOf(line, index, cell)}
                        error={problem}
                        onChange={(event) => {
                          const value = event.currentTarget.value
                          setEdits((current) => ({
                            ...current,
                            [line]: { ...current[line], [index]: value },
                          }))
                        }}
                      />
                    </Table.Td>
                  )
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager
        label="Pages of lines to fix"
        page={pages.page}
        nextCursor={cells.data.nextCursor}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
    </Stack>
  )
}
