import type { ColumnMapping, LineProblem } from '@contracts/imports.ts'
import { Table, Text, VisuallyHidden } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import type { ImportPreview, RejectedLine } from '../api/imports.ts'
import { fieldInfo } from '../fields.ts'

interface MappedPreviewProps {
  preview: ImportPreview
  mapping: ColumnMapping
  /** Rejections of the dry run of this mapping, when it has been checked. */
  rejected: RejectedLine[] | null
}

const problemCell = { backgroundColor: 'var(--mantine-color-red-light)' }

/**
 * The first lines as the import will read them: one column per mapped field. A cell the dry run
 * rejects is highlighted with the reason; a line rejected as a whole shows it on its number.
 */
export function MappedPreview({ preview, mapping, rejected }: MappedPreviewProps) {
  const mapped = mapping.flatMap((field, index) =>
    field ? [{ field, index, header: preview.columns[index] ?? '' }] : [],
  )
  const byLine = new Map<number, LineProblem[]>()
  for (const rejection of rejected ?? []) byLine.set(rejection.line, rejection.problems)
  if (mapped.length === 0) {
    return <Text c="dimmed">Map a column to see the lines as Roster will read them.</Text>
  }

  return (
    <Table.ScrollContainer minWidth={Math.min(1600, 160 * (mapped.length + 1))}>
      <Table
        withTableBorder
        withColumnBorders
        captionSide="top"
        aria-label="Preview of the first lines as they will be imported"
      >
        <Table.Caption ta="left">
          <Text component="span" size="sm">
            The first lines as they will be imported
            {rejected ? '; problems found by the check are highlighted' : ''}:
          </Text>
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Line</Table.Th>
            {mapped.map(({ field, index }) => (
              <Table.Th scope="col" key={index}>
                {fieldInfo[field].label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {preview.sample.map(({ line, cells }) => {
            const problems = byLine.get(line) ?? []
            const inCells = new Set(
              problems.filter((p) => mapped.some((m) => m.header === p.column)),
            )
            const lineProblems = problems.filter((p) => !inCells.has(p))
            return (
              <Table.Tr key={line}>
                <Table.Td style={lineProblems.length > 0 ? problemCell : undefined}>
                  <Text size="sm" c="dimmed">
                    {line}
                  </Text>
                  {lineProblems.map((problem) => (
                    <Problem key={problem.reason} reason={problem.reason} />
                  ))}
                </Table.Td>
                {mapped.map(({ index, header }) => {
                  const problem = problems.find((p) => inCells.has(p) && p.column === header)
                  return (
                    <Table.Td key={index} style={problem ? problemCell : undefined}>
                      <Text size="sm" style={{ wordBreak: 'break-word' }}>
                        {cells[index] ?? ''}
                      </Text>
                      {problem && <Problem reason={problem.reason} />}
                    </Table.Td>
                  )
                })}
              </Table.Tr>
            )
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}

function Problem({ reason }: { reason: string }) {
  return (
    <Text size="xs" c="red.8" mt={4} style={{ display: 'flex', gap: 4 }}>
      <IconAlertTriangle size={14} aria-hidden style={{ flexShrink: 0, marginTop: 1 }} />
      <span>
        <VisuallyHidden>Problem: </VisuallyHidden>
        {reason}
      </span>
    </Text>
  )
}
