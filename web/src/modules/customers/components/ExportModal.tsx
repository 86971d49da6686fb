import { Alert, Button, Group, Modal, Progress, Radio, Select, Stack, Text } from '@mantine/core'
import { useState } from 'react'
import { csvDefaultsFor, type CsvEncoding, type CsvSeparator } from '@contracts/export.ts'
import { errorMessage } from '../../../platform/api.ts'
import { plural, pluralOf } from '../../../platform/plural.ts'
import {
  downloadExport,
  type CustomerFilters,
  type ExportOptions,
  type ExportProgress,
} from '../api/customers.ts'

const separators: { value: CsvSeparator; label: string }[] = [
  { value: 'semicolon', label: 'Semicolon ( ; )' },
  { value: 'comma', label: 'Comma ( , )' },
  { value: 'tab', label: 'Tab' },
]
const encodings: { value: CsvEncoding; label: string }[] = [
  { value: 'utf-8-bom', label: 'UTF-8 for Excel (with byte-order mark)' },
  { value: 'utf-8', label: 'UTF-8' },
  { value: 'windows-1252', label: 'Windows (Western European)' },
]

const megabytes = (bytes: number): string => `${(bytes / 1_000_000).toFixed(1)} MB`

/**
 * Exports the customers the list shows (its search and filters), one line per contact, as CSV
 * or Excel; the CSV settings start from what the browser's language suggests (`;` in French).
 */
export function ExportModal({
  filters,
  onClose,
}: {
  filters: CustomerFilters
  onClose: () => void
}) {
  const [options, setOptions] = useState<ExportOptions>(() => ({
    format: 'csv',
    ...csvDefaultsFor(navigator.language),
  }))
  const [progress, setProgress] = useState<ExportProgress | null>(null)
  const [running, setRunning] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState(false)

  const start = (): void => {
    setRunning(true)
    setError(null)
    setDone(false)
    setProgress(null)
    downloadExport(filters, options, setProgress)
      .then(() => setDone(true))
      .catch((failure: unknown) => setError(failure))
      .finally(() => setRunning(false))
  }
  const percent =
    progress?.lines != null && progress.total > 0
      ? Math.round((100 * progress.lines) / progress.total)
      : null

  return (
    <Modal opened onClose={onClose} title="Export customers" size="md">
      <Stack>
        <Text size="sm">
          The customers of the list as it is filtered now, one line per contact.
        </Text>
        <Radio.Group
          label="Format"
          value={options.format}
          onChange={(format) =>
            setOptions((current) => ({ ...current, format: format === 'xlsx' ? 'xlsx' : 'csv' }))
          }
        >
          <Group mt="xs">
            <Radio value="csv" label="CSV" />
            <Radio value="xlsx" label="Excel (.xlsx)" />
          </Group>
        </Radio.Group>
        {options.format === 'csv' && (
          <>
            <Select
              label="Separator"
              data={separators}
              value={options.separator}
              allowDeselect={false}
              onChange={(value) =>
                setOptions((current) => ({
                  ...current,
                  separator: value ?? current.separator,
                }))
              }
            />
            <Select
              label="Encoding"
              data={encodings}
              value={options.encoding}
              allowDeselect={false}
              onChange={(value) =>
                setOptions((current) => ({
                  ...current,
                  encoding: value ?? current.encoding,
                }))
              }
            />
          </>
        )}
        {(running || done) && (
          <Stack gap={4}>
            <Progress
              aria-label="Export progress"
              value={done ? 100 : (percent ?? 100)}
              animated={running && percent === null}
              striped={running && percent === null}
            />
            <Text size="xs" c="dimmed" role="status">
              {done
                ? 'Export downloaded.'
                : progress
                  ? progress.lines !== null
                    ? pluralOf(progress.lines, progress.total, 'line')
                    : `${megabytes(progress.bytes)} received (${plural(progress.total, 'line')})`
                  : 'Preparing the export…'}
            </Text>
          </Stack>
        )}
        {error !== null && (
          <Alert color="red" role="alert">
            {errorMessage(error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button onClick={start} loading={running}>
            Download
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
