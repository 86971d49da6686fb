import { Button } from '@mantine/core'
import { IconHistory } from '@tabler/icons-react'
import { Link } from 'react-router'
import { ImportWizard } from '../modules/imports/components/ImportWizard.tsx'
import { PageTitle } from '../platform/PageTitle.tsx'

export function ImportWizardPage() {
  return (
    <>
      <PageTitle
        title="Import or Assign customers"
        actions={
          <Button
            component={Link}
            to="/imports"
            variant="default"
            leftSection={<IconHistory size={18} aria-hidden />}
          >
            Import history
          </Button>
        }
      />
      <ImportWizard />
    </>
  )
}
