import { Alert, Button, Card, Group, Table, TextInput, Title } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { errorMessage } from '../../../platform/api.ts'
import { notifySaved } from '../../../platform/notify.ts'
import { useAddWorkflow, useWorkflows } from '../../organization/hooks/useOrganization.ts'
import { useIsAdmin } from '../../session/hooks/useSession.ts'
import { AdminOnly } from './AdminOnly.tsx'

/** The reminder plans a customer can follow; admins add them. */
export function WorkflowsPanel() {
  const isAdmin = useIsAdmin()
  const workflows = useWorkflows()
  const add = useAddWorkflow()
  const [name, setName] = useState('')
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
            <Table.Th>Added</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(workflows.data ?? []).map((workflow) => (
            <Table.Tr key={workflow.id}>
              <Table.Td>{workflow.name}</Table.Td>
              <Table.Td>{new Date(workflow.createdAt).toLocaleDateString()}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  )
}
