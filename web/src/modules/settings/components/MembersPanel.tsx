import { memberRoles, type MemberRole } from '@contracts/organizations.ts'
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  PasswordInput,
  Select,
  Table,
  TextInput,
  Title,
} from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import { notifySaved } from '../../../platform/notify.ts'
import { useAddMember, useMembers } from '../../organization/hooks/useOrganization.ts'
import { useIsAdmin } from '../../session/hooks/useSession.ts'
import { AdminOnly } from './AdminOnly.tsx'

export const roleNames: Record<MemberRole, string> = {
  admin: 'Admin',
  account_manager: 'Account manager',
  member: 'Member',
}
const roleOptions = memberRoles.map((value) => ({ value, label: roleNames[value] }))
const blank = { email: '', name: '', role: 'member' as MemberRole, password: '' }

function InviteForm() {
  const [values, setValues] = useState(blank)
  const add = useAddMember()
  const error = add.error instanceof ApiError ? add.error : null
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    const { password, ...rest } = values
    add.mutate(password ? values : rest, {
      onSuccess: (member) => {
        notifySaved(`${member.email} is now a member.`)
        setValues(blank)
      },
    })
  }
  return (
    <Card withBorder padding="lg" mb="md">
      <Title order={2} size="h4" mb="sm">
        Invite a member
      </Title>
      <form onSubmit={submit} aria-label="Invite a member" noValidate>
        {add.error && (
          <Alert color="red" role="alert" mb="sm">
            {errorMessage(add.error)}
          </Alert>
        )}
        <Group align="flex-start" wrap="wrap">
          <TextInput
            label="Email"
            required
            value={values.email}
            onChange={(e) => setValues({ ...values, email: e.currentTarget.value })}
            error={error?.fieldError('email')}
          />
          <TextInput
            label="Name"
            value={values.name}
            onChange={(e) => setValues({ ...values, name: e.currentTarget.value })}
          />
          <Select
            label="Role"
            data={roleOptions}
            value={values.role}
            allowDeselect={false}
            onChange={(role) => setValues({ ...values, role: role ?? 'member' })}
          />
          <PasswordInput
            label="First password"
            description="Give it to them to sign in; without one they cannot sign in yet."
            value={values.password}
            onChange={(e) => setValues({ ...values, password: e.currentTarget.value })}
            error={error?.fieldError('password')}
            w={260}
          />
        </Group>
        <Button type="submit" mt="md" loading={add.isPending}>
          Invite
        </Button>
      </form>
    </Card>
  )
}

/** The organisation's members and their roles; admins invite new ones. */
export function MembersPanel() {
  const isAdmin = useIsAdmin()
  const members = useMembers()
  return (
    <>
      {isAdmin ? <InviteForm /> : <AdminOnly what="invite members" />}
      <Table.ScrollContainer minWidth={560} type="native">
        <Table aria-label="Members" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Since</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(members.data ?? []).map((member) => (
              <Table.Tr key={member.id}>
                <Table.Td>{member.name ?? '—'}</Table.Td>
                <Table.Td>{member.email}</Table.Td>
                <Table.Td>
                  <Badge variant="light" tt="none">
                    {roleNames[member.role]}
                  </Badge>
                </Table.Td>
                <Table.Td>{new Date(member.createdAt).toLocaleDateString()}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  )
}
