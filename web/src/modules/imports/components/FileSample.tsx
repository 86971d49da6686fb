import { Table, Text } from '@mantine/core'
import type { ImportPreview } from '../api/imports.ts'
import { columnName } from '../fields.ts'
import { plural } from '../format.ts'

/** The file's first lines as read with the current settings, columns as the file names them. */
export function FileSample({ preview, lines = 5 }: { preview: ImportPreview; lines?: number }) {
  const { columns, sample } = preview
  return (
    <Table.ScrollContainer minWidth={Math.min(1600, 140 * (columns.length + 1))}>
      <Table
        withTableBorder
        withColumnBorders
        captionSide="top"
        aria-label="First lines of the file"
      >
        <Table.Caption ta="left">
          <Text component="span" size="sm">
            {plural(columns.length, 'column')}; the first lines as Roster reads them (header on line{' '}
            {preview.read.headerRow}):
          </Text>
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Line</Table.Th>
            {columns.map((_, index) => (
              <Table.Th scope="col" key={index}>
                {columnName(columns, index)}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sample.slice(0, lines).map((row) => (
            <Table.Tr key={row.line}>
              <Table.Td c="dimmed">{row.line}</Table.Td>
              {columns.map((_, index) => (
                <Table.Td key={index}>{row.cells[index] ?? ''}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}
