import { AppShell, Burger, Group } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { Outlet } from 'react-router'
import { MainNav } from './MainNav.tsx'
import { OrganizationSwitcher } from './OrganizationSwitcher.tsx'
import { MemberMenu } from './MemberMenu.tsx'
import { NotificationsBell } from '../../notifications/components/NotificationsBell.tsx'

/** Header with the organisation, the sections, notifications and the member; a menu on phones. */
export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure()
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened, desktop: true } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close the menu' : 'Open the menu'}
            />
            <OrganizationSwitcher />
            <Group gap={4} visibleFrom="sm" component="nav" aria-label="Sections">
              <MainNav />
            </Group>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <NotificationsBell />
            <MemberMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" component="nav" aria-label="Sections">
        {opened && <MainNav vertical onNavigate={close} />}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  )
}
