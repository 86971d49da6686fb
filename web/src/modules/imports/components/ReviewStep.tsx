import { Alert, Stack, Text } from '@mantine/core'
import type { ImportRecord } from '../api/imports.ts'
import { plural } from '../format.ts'
import { RejectedLinesTable } from './RejectedLinesTable.tsx'
import { SummaryTable } from './SummaryTable.tsx'

/** The dry run: what submitting will do, line by line and per customer and contact. */
export function ReviewStep({ record }: { record: ImportRecord }) {
  const dryRun = record.dryRun
  if (!dryRun) {
    return (
      <Alert color="orange" title="Not checked yet">
        Go back to the mapping: the file is checked with it before the review.
      </Alert>
    )
  }
  const { lines } = dryRun
  const importable = lines.total - lines.rejected
  return (
    <Stack gap="lg">
      <Text>
        Nothing has been saved yet. Submitting imports {plural(importable, 'line')}
        {lines.rejected > 0 ? ` and leaves out ${plural(lines.rejected, 'rejected line')}` : ''}.
      </Text>
      {importable === 0 && (
        <Alert color="red" title="No line can be imported">
          Every line is rejected: fix the file, or go back and change the mapping.
        </Alert>
      )}
      <SummaryTable summary={dryRun} tense="future" caption="What the import will do" />
      <RejectedLinesTable importId={record.id} total={lines.rejected} />
    </Stack>
  )
}
