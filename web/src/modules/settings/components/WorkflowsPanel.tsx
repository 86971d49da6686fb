import { Alert, Button, Card, Group, Table, TextInput, Title } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { errorMessage } from '../../../platform/api.ts'
import { plural } from '../../../platform/plural.ts'
import { notifySaved } from '../../../platform/notify.ts'
import {
  useAddWorkflow,
  useWorkflowWrites,
  useWorkflows,
} from '../../organization/hooks/useOrganization.ts'
import type { Workflow } from '../../organization/api/organization.ts'
import { useIsAdmin } from '../../session/hooks/useSession.ts'
import { AdminOnly } from './AdminOnly.tsx'
import { WorkflowStepsModal } from './WorkflowStepsModal.tsx'

/** The reminder plans a customer can follow; admins add them. */
export function WorkflowsPanel() {
  const isAdmin = useIsAdmin()
  const workflows = useWorkflows()
  const add = useAddWorkflow()
  const [name, setName] = useState('')
  const [editing, setEditing] = useState<Workflow | null>(null)
  const { remove } = useWorkflowWrites()
  const removeWorkflow = (workflow: Workflow) => {
    remove.mutate(workflow.id, {
      onSuccess: ({ customersUnassigned }) => {
        notifySaved(
          customersUnassigned.length === 0
            ? `Workflow ${workflow.name} deleted.`
            : `Workflow ${workflow.name} deleted; ${customersUnassigned.map((c) => c.name).join(', ')} now follow no workflow.`,
        )
      },
    })
  }
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    add.mutate(name, {
      onSuccess: (workflow) => {
        notifySaved(`Workflow ${workflow.name} added.`)
        setName('')
      },
    })
  }
  return (
    <>
      {isAdmin ? (
        <Card withBorder padding="lg" mb="md">
          <Title order={2} size="h4" mb="sm">
            Add a workflow
          </Title>
          <form onSubmit={submit} aria-label="Add a workflow" noValidate>
            {add.error && (
              <Alert color="red" role="alert" mb="sm">
                {errorMessage(add.error)}
              </Alert>
            )}
            <Group align="flex-end">
              <TextInput
                label="Workflow name"
                required
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
              />
              <Button type="submit" loading={add.isPending}>
                Add workflow
              </Button>
            </Group>
          </form>
        </Card>
      ) : (
        <AdminOnly what="add workflows" />
      )}
      <Table aria-label="Workflows" maw={640} verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Steps</Table.Th>
            <Table.Th>Customers</Table.Th>
            <Table.Th>Added</Table.Th>
            {isAdmin && <Table.Th>Actions</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(workflows.data ?? []).map((workflow) => (
            <Table.Tr key={workflow.id}>
              <Table.Td>{workflow.name}</Table.Td>
              <Table.Td>
                {workflow.steps.length === 0
                  ? 'No steps'
                  : workflow.steps
                      .map((step) => `${step.name} (day ${String(step.delayDays)})`)
                      .join(', ')}
              </Table.Td>
              <Table.Td>{workflow.customerCount}</Table.Td>
              <Table.Td>{new Date(workflow.createdAt).toLocaleDateString()}</Table.Td>
              {isAdmin && (
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() => setEditing(workflow)}
                      aria-label={`Edit ${workflow.name}`}
                    >
                      Edit steps
                    </Button>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      aria-label={`Delete ${workflow.name}`}
                      onClick={() => {
                        const lose =
                          workflow.customerCount > 0
                            ? ` ${plural(workflow.customerCount, 'customer')} will follow no workflow.`
                            : ''
                        if (window.confirm(`Delete the workflow ${workflow.name}?${lose}`)) {
                          removeWorkflow(workflow)
                        }
                      }}
                    >
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {editing && <WorkflowStepsModal workflow={editing} onClose={() => setEditing(null)} />}
    </>
  )
}
