import { Alert, Badge, Button, List, Stack, Table, Text } from '@mantine/core'
import { Fragment } from 'react'
import { errorMessage } from '../../../platform/api.ts'
import type { Connection, SyncRun } from '../api/integrations.ts'
import { useRuns } from '../hooks/useIntegrations.ts'
import { runStatusColors, runStatusNames, triggerNames, when } from './format.ts'

const shownSkipped = 50

/** Why a run failed, and each record it skipped with the reason. */
function RunDetails({ run }: { run: SyncRun }) {
  return (
    <Stack gap={4}>
      {run.error && (
        <Text size="sm" c="red">
          {run.status === 'failed' ? 'Failed: ' : ''}
          {run.error}
        </Text>
      )}
      {run.errors.length > 0 && (
        <>
          <Text size="sm" fw={500}>
            Skipped records
          </Text>
          <List size="sm" spacing={2}>
            {run.errors.slice(0, shownSkipped).map((skipped, i) => (
              <List.Item key={i}>
                {skipped.externalId ? <strong>{skipped.externalId}: </strong> : null}
                {skipped.reason}
              </List.Item>
            ))}
          </List>
          {run.errors.length > shownSkipped && (
            <Text size="sm" c="dimmed">
              and {run.errors.length - shownSkipped} more.
            </Text>
          )}
        </>
      )}
    </Stack>
  )
}

/** A connection's runs, newest first, ten at a time. */
export function RunHistory({ connection, running }: { connection: Connection; running: boolean }) {
  const runs = useRuns(connection.id, running)
  if (runs.error) {
    return (
      <Alert color="red" role="alert">
        {errorMessage(runs.error)}
      </Alert>
    )
  }
  const rows = runs.data?.pages.flatMap((page) => page.data) ?? []
  const label = `Runs of ${connection.name}`
  return (
    <>
      <Table.ScrollContainer minWidth={760} type="native">
        <Table aria-label={label} verticalSpacing="xs" fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Started</Table.Th>
              <Table.Th>Ended</Table.Th>
              <Table.Th>Trigger</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th ta="right">Created</Table.Th>
              <Table.Th ta="right">Updated</Table.Th>
              <Table.Th ta="right">Archived</Table.Th>
              <Table.Th ta="right">Skipped</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 && !runs.isPending && (
              <Table.Tr>
                <Table.Td colSpan={8}>No runs yet.</Table.Td>
              </Table.Tr>
            )}
            {rows.map((run) => (
              <Fragment key={run.id}>
                <Table.Tr>
                  <Table.Td>
                    {run.startedAt ? when(run.startedAt) : `Queued ${when(run.queuedAt)}`}
                  </Table.Td>
                  <Table.Td>{when(run.finishedAt)}</Table.Td>
                  <Table.Td>
                    {triggerNames[run.trigger]}
                    {run.mode === 'full' ? ' (full)' : ''}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={runStatusColors[run.status]} variant="light" tt="none">
                      {runStatusNames[run.status]}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">{run.counts.created}</Table.Td>
                  <Table.Td ta="right">{run.counts.updated}</Table.Td>
                  <Table.Td ta="right">{run.counts.archived}</Table.Td>
                  <Table.Td ta="right">{run.counts.skipped}</Table.Td>
                </Table.Tr>
                {(run.error || run.errors.length > 0) && (
                  <Table.Tr>
                    <Table.Td colSpan={8} pl="lg">
                      <RunDetails run={run} />
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {runs.hasNextPage && (
        <Button
          variant="default"
          size="compact-sm"
          mt="xs"
          loading={runs.isFetchingNextPage}
          onClick={() => void runs.fetchNextPage()}
        >
          Show older runs
        </Button>
      )}
    </>
  )
}
