import { Button } from '@mantine/core'
import { Link } from 'react-router'
import type { ImportRecord } from '../api/imports.ts'
import { isActive } from '../format.ts'
import { ErrorFileButton } from './ErrorFileButton.tsx'

/** Where to go from a submitted import: the history, its details, its error file. */
export function FinishedLinks({ record }: { record: ImportRecord }) {
  const rejected = record.summary?.lines.rejected ?? 0
  return (
    <>
      <Button component={Link} to="/imports" variant="default">
        Open the import history
      </Button>
      {!isActive(record.status) && (
        <>
          <Button component={Link} to={`/imports/${record.id}`} variant="default">
            See this import
          </Button>
          {rejected > 0 && <ErrorFileButton importId={record.id} fileName={record.fileName} />}
          <Button component={Link} to="/imports/new">
            Import another file
          </Button>
        </>
      )}
    </>
  )
}
