import { Button, Menu } from '@mantine/core'
import { IconChevronDown, IconFileImport, IconHistory, IconPlus } from '@tabler/icons-react'
import { lazy, Suspense, useState } from 'react'
import { Link, useNavigate } from 'react-router'

// Loaded when opened: the customers list does not wait for the form.
const CustomerFormModal = lazy(() =>
  import('./CustomerFormModal.tsx').then((m) => ({ default: m.CustomerFormModal })),
)

/** The ways to add customers: one by hand, the import wizard, and the history of imports. */
export function AddCustomersMenu() {
  const [creating, setCreating] = useState(false)
  const navigate = useNavigate()
  return (
    <>
      <Menu position="bottom-end">
        <Menu.Target>
          <Button rightSection={<IconChevronDown size={16} aria-hidden />}>Add customers</Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() => setCreating(true)}
          >
            New customer
          </Menu.Item>
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
      {creating && (
        <Suspense fallback={null}>
          <CustomerFormModal
            onClose={() => setCreating(false)}
            onCreated={(created) => {
              setCreating(false)
              void navigate(`/customers/${created.id}`)
            }}
          />
        </Suspense>
      )}
    </>
  )
}
