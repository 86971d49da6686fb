import { Button, Menu } from '@mantine/core'
import { IconChevronDown, IconFileImport, IconHistory } from '@tabler/icons-react'
import { Link } from 'react-router'

/** The entry to bulk changes: the import wizard and the history of imports. */
export function AddCustomersMenu() {
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button rightSection={<IconChevronDown size={16} aria-hidden />}>Add customers</Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          component={Link}
          to="/imports/new"
          leftSection={<IconFileImport size={16} aria-hidden />}
        >
          Import or Assign customers
        </Menu.Item>
        <Menu.Item
          component={Link}
          to="/imports"
          leftSection={<IconHistory size={16} aria-hidden />}
        >
          Import history
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  )
}
