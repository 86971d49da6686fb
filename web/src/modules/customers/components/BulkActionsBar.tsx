import { Anchor, Button, Group, Paper, Select, Text } from '@mantine/core'
import { modals } from '@mantine/modals'
import { useState } from 'react'
import { useAccountManagers, useWorkflows } from '../../organization/hooks/useOrganization.ts'
import { plural } from '../../../platform/plural.ts'
import { bulkFilter, type CustomerFilters } from '../api/customers.ts'
import { useBulkCustomers } from '../hooks/useCustomer.ts'
import { useCustomerCount } from '../hooks/useCustomers.ts'

/**
 * What can be done to the ticked customers at once: give them an account manager or a workflow,
 * archive them (or restore them, in the archived list). All of them change, or none. Once the
 * rows shown are all ticked, it offers every customer the filters find ("select all matching"):
 * the action then names the filters, and the server finds the customers.
 */
export function BulkActionsBar({
  selected,
  filters,
  pageSelected,
  allMatching,
  onSelectAllMatching,
  onDone,
}: {
  selected: ReadonlySet<string>
  filters: CustomerFilters
  /** Every row loaded so far is ticked. */
  pageSelected: boolean
  /** The action is for every customer the filters find, not only the rows ticked. */
  allMatching: boolean
  onSelectAllMatching: () => void
  onDone: () => void
}) {
  const archivedList = filters.archived
  const matching = useCustomerCount(filters, pageSelected || allMatching)
  const managers = useAccountManagers()
  const workflows = useWorkflows()
  const bulk = useBulkCustomers()
  const [manager, setManager] = useState<string | null>(null)
  const [workflow, setWorkflow] = useState<string | null>(null)
  const ids = [...selected]
  const total = matching.data
  const count =
    allMatching && total !== undefined ? plural(total, 'customer') : plural(ids.length, 'customer')
  const target = allMatching ? { filter: bulkFilter(filters) } : { ids }
  const run = (body: Parameters<typeof bulk.mutate>[0]): void =>
    bulk.mutate(body, {
      onSuccess: () => {
        setManager(null)
        setWorkflow(null)
        onDone()
      },
    })
  const confirmArchive = (): void => {
    modals.openConfirmModal({
      title: `Archive ${count}?`,
      children: (
        <Text size="sm">
          They leave the customers list and receive no more reminders; their contacts and history
          are kept, and they can be restored.
        </Text>
      ),
      labels: { confirm: 'Archive', cancel: 'Cancel' },
      onConfirm: () => run({ action: 'archive', ...target }),
    })
  }
  if (ids.length === 0 && !allMatching) return null
  return (
    <Paper withBorder p="sm" mb="md" role="region" aria-label="Bulk actions">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Text fw={500} size="sm" role="status">
          {allMatching ? `All ${count} matching this filter are selected` : `${count} selected`}
        </Text>
        {!allMatching && pageSelected && total !== undefined && total > ids.length && (
          <Anchor component="button" type="button" size="sm" onClick={onSelectAllMatching}>
            Select all {plural(total, 'customer')} matching this filter
          </Anchor>
        )}
        {archivedList ? (
          <Button
            variant="default"
            loading={bulk.isPending}
            onClick={() => run({ action: 'restore', ...target })}
          >
            Restore
          </Button>
        ) : (
          <>
            <Select
              label="Account manager to assign"
              placeholder="Choose a member"
              searchable
              data={(managers.data ?? []).map((m) => ({
                value: m.email,
                label: m.name ?? m.email,
              }))}
              value={manager}
              onChange={setManager}
              w={220}
            />
            <Button
              variant="default"
              disabled={!manager}
              loading={bulk.isPending}
              onClick={() =>
                manager && run({ action: 'assign', ...target, accountManagers: [manager] })
              }
            >
              Assign account manager
            </Button>
            <Select
              label="Workflow to assign"
              placeholder="Choose a workflow"
              searchable
              data={(workflows.data ?? []).map((w) => w.name)}
              value={workflow}
              onChange={setWorkflow}
              w={200}
            />
            <Button
              variant="default"
              disabled={!workflow}
              loading={bulk.isPending}
              onClick={() => workflow && run({ action: 'assign', ...target, workflow })}
            >
              Assign workflow
            </Button>
            <Button variant="default" color="red" onClick={confirmArchive}>
              Archive
            </Button>
          </>
        )}
        <Button variant="subtle" onClick={onDone}>
          Clear selection
        </Button>
      </Group>
    </Paper>
  )
}
