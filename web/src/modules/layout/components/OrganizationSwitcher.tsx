import { Anchor, Menu, UnstyledButton, Group, Text } from '@mantine/core'
import { IconCheck, IconSelector } from '@tabler/icons-react'
import { Link, useNavigate } from 'react-router'
import { notifySaved } from '../../../platform/notify.ts'
import {
  useMyOrganizations,
  useSignedIn,
  useSwitchOrganization,
} from '../../session/hooks/useSession.ts'

/**
 * The organisation's name in the header; for a member of several, a menu to switch between them
 * (the session moves to the other organisation, and every screen reloads from it).
 */
export function OrganizationSwitcher() {
  const { organization, member } = useSignedIn()
  const organizations = useMyOrganizations(member !== null)
  const switchTo = useSwitchOrganization()
  const navigate = useNavigate()
  const others = organizations.data ?? []
  if (others.length < 2) {
    return (
      <Anchor
        component={Link}
        to="/customers"
        fw={700}
        size="lg"
        c="var(--mantine-color-text)"
        underline="never"
        truncate
        maw={260}
      >
        {organization.name}
      </Anchor>
    )
  }
  return (
    <Menu position="bottom-start" width={260}>
      <Menu.Target>
        <UnstyledButton aria-label={`Organisation: ${organization.name}. Switch organisation`}>
          <Group gap={4} wrap="nowrap">
            <Text fw={700} size="lg" truncate maw={240}>
              {organization.name}
            </Text>
            <IconSelector size={16} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Your organisations</Menu.Label>
        {others.map((org) => (
          <Menu.Item
            key={org.id}
            leftSection={org.current ? <IconCheck size={16} aria-hidden /> : <span />}
            disabled={org.current}
            onClick={() =>
              switchTo.mutate(org.id, {
                onSuccess: (session) => {
                  notifySaved(`You are now in ${session.organization.name}.`)
                  void navigate('/customers')
                },
              })
            }
          >
            {org.name}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  )
}
