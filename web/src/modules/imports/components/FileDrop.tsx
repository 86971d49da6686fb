// Its styles come with it: only the import wizard drops files, so they stay out of the first load.
import '@mantine/dropzone/styles.css'
import { Alert, Anchor, Button, Group, List, Progress, Stack, Text, Title } from '@mantine/core'
import { Dropzone } from '@mantine/dropzone'
import { IconDownload, IconFileSpreadsheet, IconUpload } from '@tabler/icons-react'
import type { TemplateName } from '@contracts/imports.ts'
import { useMutation } from '@tanstack/react-query'
import { useRef, useState } from 'react'
import { errorMessage } from '../../../platform/api.ts'
import { templateUrl, uploadImport, type ImportPreview } from '../api/imports.ts'

const templates: { name: TemplateName; label: string; description: string }[] = [
  { name: 'customers', label: 'Customers', description: 'names, IDs, addresses and groups' },
  {
    name: 'customers-and-contacts',
    label: 'Customers and contacts',
    description: 'each customer with the people to contact',
  },
  {
    name: 'account-managers-and-workflows',
    label: 'Account managers and workflows',
    description: 'assign them to customers by their Customer ID',
  },
  { name: 'all', label: 'Every field', description: 'all the columns Roster reads' },
]

/** The drop zone and file picker of the wizard's first step, and the templates to start from. */
export function FileDrop({ onUploaded }: { onUploaded: (preview: ImportPreview) => void }) {
  const openPicker = useRef<() => void>(null)
  const [sent, setSent] = useState(0)
  const [refusal, setRefusal] = useState<string | null>(null)
  const upload = useMutation({
    mutationFn: (file: File) => uploadImport(file, setSent),
    meta: { ownErrors: true },
    onMutate: () => {
      setSent(0)
      setRefusal(null)
    },
    onSuccess: onUploaded,
  })
  const send = (files: File[]) => {
    const [file] = files
    if (file) upload.mutate(file)
  }

  return (
    <Stack gap="lg">
      {(upload.error ?? refusal) && (
        <Alert color="red" role="alert" title="This file cannot be imported">
          {refusal ?? errorMessage(upload.error)}
        </Alert>
      )}
      <Dropzone
        onDrop={send}
        onReject={() => setRefusal('Drop one file at a time.')}
        multiple={false}
        loading={upload.isPending}
        activateOnClick={false}
        activateOnKeyboard={false}
        enablePointerEvents
        openRef={openPicker}
        inputProps={{ 'aria-label': 'File to import' }}
        py="xl"
      >
        <Stack align="center" gap="sm" mih={160} justify="center">
          <IconFileSpreadsheet size={48} stroke={1.5} aria-hidden />
          <Text size="lg" ta="center">
            Drop a CSV or Excel (.xlsx) file here
          </Text>
          <Text size="sm" c="dimmed" ta="center">
            Columns are matched to Roster fields in the next step; nothing is saved until you
            submit.
          </Text>
          <Button
            leftSection={<IconUpload size={18} aria-hidden />}
            onClick={() => openPicker.current?.()}
          >
            Choose a file
          </Button>
        </Stack>
      </Dropzone>
      {upload.isPending && (
        <Stack gap={4}>
          <Text size="sm" aria-live="polite">
            {sent < 1 ? 'Sending the file…' : 'Reading the file…'}
          </Text>
          <Progress
            value={Math.round(sent * 100)}
            animated={sent >= 1}
            aria-label="Upload progress"
          />
        </Stack>
      )}
      <div>
        <Title order={2} size="h4" mb="xs">
          Start from a template
        </Title>
        <List spacing={6} listStyleType="none" ml={0} pl={0}>
          {templates.map(({ name, label, description }) => (
            <List.Item key={name}>
              <Group gap={6} wrap="nowrap" align="flex-start">
                <IconDownload size={16} aria-hidden style={{ flexShrink: 0, marginTop: 2 }} />
                <Text size="sm">
                  <Anchor href={templateUrl(name)} download>
                    {label} template
                  </Anchor>{' '}
                  <Text span c="dimmed" size="sm">
                    — {description}
                  </Text>
                </Text>
              </Group>
            </List.Item>
          ))}
        </List>
      </div>
    </Stack>
  )
}
