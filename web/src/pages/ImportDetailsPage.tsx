import { Alert, Anchor, Center, Loader } from '@mantine/core'
import { Link, useParams } from 'react-router'
import { ImportDetails } from '../modules/imports/components/ImportDetails.tsx'
import { useImport } from '../modules/imports/hooks/useImports.ts'
import { errorMessage } from '../platform/api.ts'
import { PageTitle } from '../platform/PageTitle.tsx'

export function ImportDetailsPage() {
  const { id = '' } = useParams()
  const { data: record, error } = useImport(id)
  const history = (
    <Anchor component={Link} to="/imports">
      Import history
    </Anchor>
  )
  if (error) {
    return (
      <>
        <PageTitle title="Import" actions={history} />
        <Alert color="red" role="alert" title="This import cannot be shown">
          {errorMessage(error)}
        </Alert>
      </>
    )
  }
  if (!record) {
    return (
      <Center p="xl">
        <Loader aria-label="Loading the import" />
      </Center>
    )
  }
  return (
    <>
      <PageTitle title={`Import of ${record.fileName}`} actions={history} />
      <ImportDetails record={record} />
    </>
  )
}
