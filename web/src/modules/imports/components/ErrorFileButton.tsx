import { Button } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconFileDownload } from '@tabler/icons-react'
import { useState } from 'react'
import { errorMessage } from '../../../platform/api.ts'
import { downloadErrorFile } from '../api/imports.ts'

/** Downloads the rejected lines with an Error column, to fix them and upload the file again. */
export function ErrorFileButton({ importId, fileName }: { importId: string; fileName: string }) {
  const [busy, setBusy] = useState(false)
  const download = () => {
    setBusy(true)
    downloadErrorFile(importId, `${fileName.replace(/\.[^.]+$/, '')} - rejected lines.csv`)
      .catch((error: unknown) =>
        notifications.show({
          color: 'red',
          title: 'The error file could not be downloaded',
          message: errorMessage(error),
        }),
      )
      .finally(() => setBusy(false))
  }
  return (
    <Button
      variant="light"
      leftSection={<IconFileDownload size={18} aria-hidden />}
      loading={busy}
      onClick={download}
    >
      Download the error file
    </Button>
  )
}
