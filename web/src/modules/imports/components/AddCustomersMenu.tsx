import { Button, Menu } from '@mantine/core'
import { IconChevronDown, IconFileImport, IconHistory, IconPlus } from '@tabler/icons-react'
import { Link } from 'react-router'

/** The Customers tab's "Add customers" menu: the import wizard and the import history. */
export function AddCustomersMenu() {
  return (
    <Menu position="bottom-end" width={260}>
      <Menu.Target>
        <Button
          leftSection={<IconPlus size={18} aria-hidden />}
          rightSection={<IconChevronDown size={16} aria-hidden />}
        >
          Add customers
        </Button>
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
