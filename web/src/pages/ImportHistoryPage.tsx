import { Button } from '@mantine/core'
import { IconFileImport } from '@tabler/icons-react'
import { Link } from 'react-router'
import { ImportHistory } from '../modules/imports/components/ImportHistory.tsx'
import { PageTitle } from '../platform/PageTitle.tsx'

export function ImportHistoryPage() {
  return (
    <>
      <PageTitle
        title="Import history"
        actions={
          <Button
            component={Link}
            to="/imports/new"
            leftSection={<IconFileImport size={18} aria-hidden />}
          >
            Import or Assign customers
          </Button>
        }
      />
      <ImportHistory />
    </>
  )
}
