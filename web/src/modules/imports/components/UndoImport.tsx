import { Alert, Button, List, Stack, Text } from '@mantine/core'
import { modals } from '@mantine/modals'
import { IconArrowBackUp } from '@tabler/icons-react'
import type { ImportRecord } from '../api/imports.ts'
import { useUndoImport } from '../hooks/useImports.ts'
import { formatCount, formatDateTime } from '../format.ts'

type Undo = NonNullable<ImportRecord['undo']>

const counted = (n: number, one: string, many: string): string =>
  `${formatCount(n)} ${n === 1 ? one : many}`

/** Undo a finished import, once: the button with its confirmation, then what the undo did. */
export function UndoImport({ record }: { record: ImportRecord }) {
  const undo = useUndoImport(record.id)
  if (record.undo) return <UndoneNotice undo={record.undo} />
  const confirm = (): void => {
    modals.openConfirmModal({
      title: 'Undo this import?',
      children: (
        <Text size="sm">
          The customers and contacts it created are removed, and the values, account managers,
          workflows and main contacts it changed are put back. A record changed by someone else
          since the import is left as it is and listed. An import is undone once.
        </Text>
      ),
      labels: { confirm: 'Undo the import', cancel: 'Keep it' },
      confirmProps: { color: 'red' },
      onConfirm: () => undo.mutate(),
    })
  }
  return (
    <Button
      variant="default"
      color="red"
      leftSection={<IconArrowBackUp size={16} aria-hidden />}
      loading={undo.isPending}
      onClick={confirm}
    >
      Undo this import
    </Button>
  )
}

function UndoneNotice({ undo }: { undo: Undo }) {
  return (
    <Alert color="gray" title={`Undone on ${formatDateTime(undo.at)} by ${undo.by}`}>
      <Stack gap="xs">
        <Text size="sm">
          Customers: {counted(undo.customers.removed, 'removed', 'removed')},{' '}
          {counted(undo.customers.restored, 'put back', 'put back')}. Contacts:{' '}
          {counted(undo.contacts.removed, 'removed', 'removed')},{' '}
          {counted(undo.contacts.restored, 'put back', 'put back')}.
        </Text>
        {undo.keptTotal > 0 && (
          <>
            <Text size="sm">
              {counted(undo.keptTotal, 'record was', 'records were')} left as they are:
            </Text>
            <List size="sm" aria-label="Records left as they are">
              {undo.kept.map((kept) => (
                <List.Item key={`${kept.entity}-${kept.id}`}>
                  {kept.name}: {kept.reason}
                </List.Item>
              ))}
            </List>
          </>
        )}
      </Stack>
    </Alert>
  )
}
