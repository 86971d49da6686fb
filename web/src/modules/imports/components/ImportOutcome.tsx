import { Alert, Stack, Text } from '@mantine/core'
import type { ImportRecord } from '../api/imports.ts'
import { plural } from '../format.ts'
import { SummaryTable } from './SummaryTable.tsx'

/** What a finished import did: completed, failed or cancelled, with its counts. */
export function ImportOutcome({ record }: { record: ImportRecord }) {
  const { summary } = record
  const rejected = summary?.lines.rejected ?? 0
  const applied = Math.max(0, record.progress.linesDone - rejected)
  return (
    <Stack gap="md">
      {record.status === 'completed' && (
        <Alert color="green" title="The import is complete">
          {rejected > 0
            ? `${plural(rejected, 'line was', 'lines were')} rejected: download the error file, fix them and import it again.`
            : 'Every line was imported.'}
        </Alert>
      )}
      {record.status === 'failed' && (
        <Alert color="red" title="The import failed" role="alert">
          {record.error ?? 'The import stopped on an error.'} What was saved before the error stays
          saved; import the file again to finish.
        </Alert>
      )}
      {record.status === 'cancelled' && (
        <Alert color="orange" title="The import was cancelled">
          {record.startedAt
            ? `${plural(applied, 'line was', 'lines were')} saved before it stopped.`
            : 'It was cancelled before it started: nothing was saved.'}
        </Alert>
      )}
      {record.fileErasedAt && (
        <Alert color="gray" title="The uploaded file was deleted">
          On {new Date(record.fileErasedAt).toLocaleDateString()}, a person in this file had their
          personal data erased: the file was deleted and their lines cleared. The counts below are
          kept; upload the file again if you need it.
        </Alert>
      )}
      {summary && record.status === 'completed' && (
        <SummaryTable summary={summary} tense="past" caption="What the import did" />
      )}
      {summary && record.status !== 'completed' && (
        <>
          <SummaryTable summary={summary} tense="future" caption="What the import was to do" />
          <Text size="sm" c="dimmed">
            The import stopped before the end: these counts are what the whole file would have done.
          </Text>
        </>
      )}
    </Stack>
  )
}
