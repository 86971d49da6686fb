import { Alert, Button, Group, Progress, Stack, Text } from '@mantine/core'
import { modals } from '@mantine/modals'
import { IconPlayerStop } from '@tabler/icons-react'
import type { ImportRecord } from '../api/imports.ts'
import { useCancelImport } from '../hooks/useImports.ts'
import { formatCount, isActive, pluralOf } from '../format.ts'

/** Where a waiting or running import is, in words and as a share of the work (0–100). */
function progressOf(record: ImportRecord): { text: string; value: number | null } {
  const { phase, linesRead, linesTotal, linesDone } = record.progress
  // Until the run has read the whole file, the dry run's count says how many lines to expect.
  const expected = linesTotal ?? record.dryRun?.lines.total ?? null
  if (record.status === 'queued' || phase === 'waiting') {
    return { text: 'Queued — the import starts shortly…', value: null }
  }
  if (phase === 'reading') {
    const of = expected ? ` of ${formatCount(expected)}` : ''
    return {
      text: `Reading and checking the lines: ${formatCount(linesRead)}${of}`,
      value: expected ? Math.min(50, (linesRead / expected) * 50) : null,
    }
  }
  const total = linesTotal ?? 0
  return {
    text: `Saving the customers and contacts: ${pluralOf(linesDone, total, 'line')}`,
    value: total > 0 ? 50 + Math.min(50, (linesDone / total) * 50) : 50,
  }
}

/** The progress bar of a submitted import that waits or runs, and its Cancel button. */
export function ImportProgress({ record }: { record: ImportRecord }) {
  const cancel = useCancelImport(record.id)
  if (!isActive(record.status)) return null
  const { text, value } = progressOf(record)

  const confirmCancel = () =>
    modals.openConfirmModal({
      title: 'Cancel this import?',
      children: (
        <Text size="sm">
          The import stops after the customers it is saving now. What was already saved stays saved.
        </Text>
      ),
      labels: { confirm: 'Cancel the import', cancel: 'Keep it running' },
      confirmProps: { color: 'red' },
      onConfirm: () => cancel.mutate(),
    })

  return (
    <Stack gap="sm">
      <Text aria-live="polite">{text}</Text>
      <Progress.Root size="xl">
        {value === null ? (
          <Progress.Section
            value={100}
            striped
            animated
            withAria={false}
            role="progressbar"
            aria-label="Import progress"
            aria-valuetext={text}
          />
        ) : (
          <Progress.Section value={Math.round(value)} animated aria-label="Import progress" />
        )}
      </Progress.Root>
      <Text size="sm" c="dimmed">
        The import runs on the server: you can close this page and come back to it from the import
        history.
      </Text>
      {record.cancelRequested ? (
        <Alert color="orange" title="Cancelling">
          The import stops after the customers it is saving now.
        </Alert>
      ) : (
        <Group>
          <Button
            variant="default"
            color="red"
            leftSection={<IconPlayerStop size={18} aria-hidden />}
            loading={cancel.isPending}
            onClick={confirmCancel}
          >
            Cancel the import
          </Button>
        </Group>
      )}
    </Stack>
  )
}
