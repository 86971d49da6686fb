import {
  Alert,
  Anchor,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core'
import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { originalFileUrl, type ImportRecord } from '../api/imports.ts'
import { useCancelImport } from '../hooks/useImports.ts'
import { columnName, fieldInfo } from '../fields.ts'
import {
  delimiterLabels,
  encodingLabels,
  formatDateTime,
  formatSize,
  isActive,
  isSubmitted,
} from '../format.ts'
import { ErrorFileButton } from './ErrorFileButton.tsx'
import { FixRejectedLines } from './FixRejectedLines.tsx'
import { ImportOutcome } from './ImportOutcome.tsx'
import { ImportProgress } from './ImportProgress.tsx'
import { RejectedLinesTable } from './RejectedLinesTable.tsx'
import { StatusBadge } from './StatusBadge.tsx'
import { UndoImport } from './UndoImport.tsx'

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ wordBreak: 'break-word' }}>
        {children}
      </Text>
    </div>
  )
}

function readAs(record: ImportRecord): string {
  const { read } = record
  if (read.format === 'xlsx')
    return `Excel workbook, sheet ${read.sheet ?? '?'}, header on row ${read.headerRow}`
  const separator = delimiterLabels[read.delimiter ?? ''] ?? read.delimiter ?? '?'
  const encoding = encodingLabels[read.encoding ?? ''] ?? read.encoding ?? '?'
  return `CSV, ${separator}, ${encoding}, header on line ${read.headerRow}`
}

/** One import: who, when, which file and how it was read, its progress or outcome, its rejects. */
export function ImportDetails({ record }: { record: ImportRecord }) {
  const discard = useCancelImport(record.id)
  const rejected = record.summary?.lines.rejected ?? 0
  return (
    <Stack gap="lg">
      <Paper withBorder p="md">
        <SimpleGrid component="dl" cols={{ base: 1, xs: 2, md: 4 }} m={0} spacing="md">
          <Fact label="Status">
            <StatusBadge status={record.status} />
          </Fact>
          <Fact label="Uploaded by">{record.createdBy.label}</Fact>
          <Fact label="Uploaded">{formatDateTime(record.createdAt)}</Fact>
          <Fact label="Finished">
            {record.finishedAt ? formatDateTime(record.finishedAt) : '—'}
          </Fact>
          <Fact label="File">
            <Anchor href={originalFileUrl(record.id)} download={record.fileName}>
              {record.fileName}
            </Anchor>{' '}
            ({formatSize(record.fileSize)})
          </Fact>
          <Fact label="Read as">{readAs(record)}</Fact>
          {record.retryOf && (
            <Fact label="Fixed lines of">
              <Anchor component={Link} to={`/imports/${record.retryOf}`}>
                the earlier import
              </Anchor>
            </Fact>
          )}
          {record.retries.length > 0 && (
            <Fact label="Fixed lines imported in">
              {record.retries.map((id, index) => (
                <span key={id}>
                  {index > 0 && ', '}
                  <Anchor component={Link} to={`/imports/${id}`}>
                    {record.retries.length > 1 ? `follow-up ${index + 1}` : 'a follow-up import'}
                  </Anchor>
                </span>
              ))}
            </Fact>
          )}
        </SimpleGrid>
      </Paper>

      {!isSubmitted(record.status) && (
        <Alert color="blue" title="Not submitted">
          <Stack gap="sm" align="flex-start">
            <Text size="sm">
              This file was uploaded but not imported: nothing was saved from it.
            </Text>
            <Group gap="sm">
              <Button component={Link} to={`/imports/new?import=${record.id}`} size="xs">
                Continue this import
              </Button>
              <Button
                variant="default"
                size="xs"
                loading={discard.isPending}
                onClick={() => discard.mutate()}
              >
                Discard it
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      <ImportProgress record={record} />
      {isSubmitted(record.status) && !isActive(record.status) && <ImportOutcome record={record} />}
      {isSubmitted(record.status) && !isActive(record.status) && (
        <Group>
          <UndoImport record={record} />
        </Group>
      )}

      {isSubmitted(record.status) && rejected > 0 && (
        <RejectedLinesTable
          importId={record.id}
          total={rejected}
          action={<ErrorFileButton importId={record.id} fileName={record.fileName} />}
        />
      )}
      {isSubmitted(record.status) && !isActive(record.status) && rejected > 0 && (
        <FixRejectedLines record={record} />
      )}

      {record.mapping && <MappingTable record={record} />}
    </Stack>
  )
}

function MappingTable({ record }: { record: ImportRecord }) {
  const mapping = record.mapping ?? []
  return (
    <section aria-labelledby="mapping-heading">
      <Title order={2} size="h4" id="mapping-heading" mb="xs">
        Columns and fields
      </Title>
      <Table.ScrollContainer minWidth={360}>
        <Table withTableBorder aria-labelledby="mapping-heading">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Column of the file</Table.Th>
              <Table.Th scope="col">Roster field</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {record.columns.map((_, index) => {
              const field = mapping[index]
              return (
                <Table.Tr key={index}>
                  <Table.Td>{columnName(record.columns, index)}</Table.Td>
                  <Table.Td c={field ? undefined : 'dimmed'}>
                    {field ? fieldInfo[field].label : 'Ignored'}
                  </Table.Td>
                </Table.Tr>
              )
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </section>
  )
}
