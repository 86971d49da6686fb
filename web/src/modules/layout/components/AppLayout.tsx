import { AppShell, Burger, Center, Group, Loader } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { lazy, Suspense } from 'react'
import { Outlet } from 'react-router'
import { MainNav } from './MainNav.tsx'
import { OrganizationSwitcher } from './OrganizationSwitcher.tsx'
import { MemberMenu } from './MemberMenu.tsx'

// The bell and its list load after the page: the first page shows without waiting for them.
const NotificationsBell = lazy(() =>
  import('../../notifications/components/NotificationsBell.tsx').then((m) => ({
    default: m.NotificationsBell,
  })),
)

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
            <Suspense fallback={null}>
              <NotificationsBell />
            </Suspense>
            <MemberMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" component="nav" aria-label="Sections">
        {opened && <MainNav vertical onNavigate={close} />}
      </AppShell.Navbar>
      <AppShell.Main>
        {/* Each page is loaded when first shown (web/src/app/routes.tsx): the header stays. */}
        <Suspense
          fallback={
            <Center py="xl">
              <Loader aria-label="Loading the page" />
            </Center>
          }
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  )
}
