import { Avatar, Menu, UnstyledButton, Text, Group } from '@mantine/core'
import { IconChevronDown, IconLogout, IconUser } from '@tabler/icons-react'
import { Link, useNavigate } from 'react-router'
import { useSignedIn, useSignOut } from '../../session/hooks/useSession.ts'

/** The signed-in member, with their profile and signing out. */
export function MemberMenu() {
  const session = useSignedIn()
  const signOut = useSignOut()
  const navigate = useNavigate()
  const member = session.member
  const name = member?.name ?? member?.email ?? 'API key'
  return (
    <Menu position="bottom-end" width={220}>
      <Menu.Target>
        <UnstyledButton aria-label={`Account menu of ${name}`}>
          <Group gap={6} wrap="nowrap">
            <Avatar size="sm" name={name} color="initials" />
            <Text size="sm" visibleFrom="md" truncate maw={160}>
              {name}
            </Text>
            <IconChevronDown size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{member?.email}</Menu.Label>
        <Menu.Item component={Link} to="/profile" leftSection={<IconUser size={16} aria-hidden />}>
          Profile
        </Menu.Item>
        <Menu.Item
          leftSection={<IconLogout size={16} aria-hidden />}
          onClick={() => signOut.mutate(undefined, { onSettled: () => void navigate('/sign-in') })}
        >
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  )
}
