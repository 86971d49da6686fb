import { memberRoles, type MemberRole } from '@contracts/organizations.ts'
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  List,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { Link } from 'react-router'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import { notifySaved } from '../../../platform/notify.ts'
import type { Invitation, Member } from '../../organization/api/organization.ts'
import {
  useChangeRole,
  useInvitations,
  useInvitationWrites,
  useInvite,
  useManagedCustomers,
  useMembers,
  useRemoveMember,
} from '../../organization/hooks/useOrganization.ts'
import { useIsAdmin, useSignedIn } from '../../session/hooks/useSession.ts'
import { AdminOnly } from './AdminOnly.tsx'

export const roleNames: Record<MemberRole, string> = {
  admin: 'Admin',
  account_manager: 'Account manager',
  member: 'Member',
}
const roleOptions = memberRoles.map((value) => ({ value, label: roleNames[value] }))
const blank = { email: '', role: 'member' as MemberRole }

function InviteForm() {
  const [values, setValues] = useState(blank)
  const invite = useInvite()
  const error = invite.error instanceof ApiError ? invite.error : null
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    invite.mutate(values, {
      onSuccess: (sent) => {
        notifySaved(`An invitation is on its way to ${sent.email}.`)
        setValues(blank)
      },
    })
  }
  return (
    <Card withBorder padding="lg" mb="md">
      <Title order={2} size="h4" mb="xs">
        Invite a member
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        They get an email with a link to choose their password; it works for 7 days.
      </Text>
      <form onSubmit={submit} aria-label="Invite a member" noValidate>
        {invite.error && (
          <Alert color="red" role="alert" mb="sm">
            {errorMessage(invite.error)}
          </Alert>
        )}
        <Group align="flex-start" wrap="wrap">
          <TextInput
            label="Email"
            required
            value={values.email}
            onChange={(e) => setValues({ ...values, email: e.currentTarget.value })}
            error={error?.fieldError('email')}
            w={280}
          />
          <Select
            label="Role"
            data={roleOptions}
            value={values.role}
            allowDeselect={false}
            onChange={(role) => setValues({ ...values, role: role ?? 'member' })}
          />
        </Group>
        <Button type="submit" mt="md" loading={invite.isPending}>
          Send the invitation
        </Button>
      </form>
    </Card>
  )
}

function invitationState(invitation: Invitation): string {
  if (!invitation.sentAt) return 'Being sent'
  if (invitation.expired) return 'Link expired'
  return `Sent ${new Date(invitation.sentAt).toLocaleDateString()}`
}

function PendingInvitations() {
  const invitations = useInvitations()
  const { resend, revoke } = useInvitationWrites()
  const pending = invitations.data ?? []
  if (pending.length === 0) return null
  return (
    <Card withBorder padding="lg" mb="md">
      <Title order={2} size="h4" mb="sm">
        Invitations not yet accepted
      </Title>
      <Table aria-label="Invitations" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Email</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Invited by</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {pending.map((invitation) => (
            <Table.Tr key={invitation.id}>
              <Table.Td>{invitation.email}</Table.Td>
              <Table.Td>{roleNames[invitation.role]}</Table.Td>
              <Table.Td>{invitationState(invitation)}</Table.Td>
              <Table.Td>{invitation.invitedBy}</Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  <Button
                    size="xs"
                    variant="default"
                    aria-label={`Send the invitation to ${invitation.email} again`}
                    onClick={() =>
                      resend.mutate(invitation.id, {
                        onSuccess: () => notifySaved(`Sent again to ${invitation.email}.`),
                      })
                    }
                  >
                    Send again
                  </Button>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    aria-label={`Withdraw the invitation to ${invitation.email}`}
                    onClick={() => revoke.mutate(invitation.id)}
                  >
                    Withdraw
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  )
}

/** Confirms removing a member, listing the customers they manage to reassign. */
function RemoveMemberModal({ member, onClose }: { member: Member | null; onClose: () => void }) {
  const customers = useManagedCustomers(member?.id ?? null)
  const remove = useRemoveMember()
  const managed = customers.data ?? []
  const confirm = (): void => {
    if (!member) return
    remove.mutate(member.id, {
      onSuccess: (removed) => {
        notifySaved(`${removed.member.email} was removed.`)
        onClose()
      },
    })
  }
  return (
    <Modal
      opened={member !== null}
      onClose={() => {
        remove.reset()
        onClose()
      }}
      title={`Remove ${member?.email ?? ''}?`}
    >
      <Stack>
        <Text size="sm">
          They are signed out at once and the API keys they created stop working.
        </Text>
        {managed.length > 0 && member && (
          <div>
            <Text size="sm" fw={500}>
              {managed.length === 1
                ? 'This customer will lose them as account manager:'
                : `These ${String(managed.length)} customers will lose them as account manager:`}
            </Text>
            <List size="sm" my="xs" aria-label="Customers they manage">
              {managed.slice(0, 10).map((customer) => (
                <List.Item key={customer.id}>{customer.name}</List.Item>
              ))}
              {managed.length > 10 && <List.Item>and {String(managed.length - 10)} more</List.Item>}
            </List>
            <Anchor
              component={Link}
              to={`/customers?accountManager=${encodeURIComponent(member.email)}`}
              size="sm"
            >
              See them in the customers list to reassign them
            </Anchor>
          </div>
        )}
        {remove.error && (
          <Alert color="red" role="alert">
            {errorMessage(remove.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" onClick={confirm} loading={remove.isPending}>
            Remove
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}

/** The organisation's members and their roles; admins invite, change roles and remove. */
export function MembersPanel() {
  const isAdmin = useIsAdmin()
  const me = useSignedIn().member
  const members = useMembers()
  const changeRole = useChangeRole()
  const [removing, setRemoving] = useState<Member | null>(null)
  return (
    <>
      {isAdmin ? (
        <>
          <InviteForm />
          <PendingInvitations />
        </>
      ) : (
        <AdminOnly what="invite members" />
      )}
      <Table.ScrollContainer minWidth={560} type="native">
        <Table aria-label="Members" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Since</Table.Th>
              {isAdmin && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(members.data ?? []).map((member) => (
              <Table.Tr key={member.id}>
                <Table.Td>{member.name ?? '—'}</Table.Td>
                <Table.Td>{member.email}</Table.Td>
                <Table.Td>
                  {isAdmin ? (
                    <Select
                      aria-label={`Role of ${member.email}`}
                      data={roleOptions}
                      value={member.role}
                      allowDeselect={false}
                      w={180}
                      size="xs"
                      onChange={(role) => {
                        if (role && role !== member.role) {
                          changeRole.mutate(
                            { id: member.id, role: role },
                            {
                              onSuccess: (changed) =>
                                notifySaved(`${changed.email} is now ${roleNames[changed.role]}.`),
                            },
                          )
                        }
                      }}
                    />
                  ) : (
                    <Badge variant="light" tt="none">
                      {roleNames[member.role]}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{new Date(member.createdAt).toLocaleDateString()}</Table.Td>
                {isAdmin && (
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      aria-label={`Remove ${member.email}`}
                      onClick={() => setRemoving(member)}
                    >
                      {member.id === me?.id ? 'Leave' : 'Remove'}
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <RemoveMemberModal member={removing} onClose={() => setRemoving(null)} />
    </>
  )
}
