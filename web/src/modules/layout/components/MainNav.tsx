import { Button, NavLink } from '@mantine/core'
import { IconSettings, IconUsers } from '@tabler/icons-react'
import { Link, useLocation } from 'react-router'

const links = [
  { to: '/customers', label: 'Customers', icon: IconUsers },
  { to: '/settings', label: 'Settings', icon: IconSettings },
]

const isActive = (pathname: string, to: string): boolean =>
  pathname === to || pathname.startsWith(`${to}/`)

/** The app's sections: buttons in the header on a laptop, a list in the menu on a phone. */
export function MainNav({ vertical, onNavigate }: { vertical?: boolean; onNavigate?: () => void }) {
  const { pathname } = useLocation()
  return links.map(({ to, label, icon: Icon }) => {
    const active = isActive(pathname, to)
    return vertical ? (
      <NavLink
        key={to}
        component={Link}
        to={to}
        label={label}
        leftSection={<Icon size={18} aria-hidden />}
        active={active}
        aria-current={active ? 'page' : undefined}
        onClick={onNavigate}
      />
    ) : (
      <Button
        key={to}
        component={Link}
        to={to}
        variant={active ? 'light' : 'subtle'}
        leftSection={<Icon size={18} aria-hidden />}
        aria-current={active ? 'page' : undefined}
      >
        {label}
      </Button>
    )
  })
}
