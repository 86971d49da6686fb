import { Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core'
import type { Connection } from '../api/integrations.ts'
import { useConfirmMatch, useMatches } from '../hooks/useIntegrations.ts'
import { systemName } from './systems.ts'

/**
 * How a contact source's accounts match the customers: matched ones, identifiers that match
 * several (not imported), and unmatched customers with the accounts of the same name, which an
 * admin may confirm (never matched by name on its own).
 */
export function AccountMatches({ connection }: { connection: Connection }) {
  const matches = useMatches(connection.id)
  const confirm = useConfirmMatch()
  const system = systemName(connection.system)
  if (!matches.data) return <Text size="sm">Loading the matches…</Text>
  const { matched, ambiguous, unmatched } = matches.data
  return (
    <Stack gap="sm" component="section" aria-label={`Customers matched to ${system} accounts`}>
      <Title order={3} size="h5">
        Customers and {system} accounts
      </Title>
      <Group gap="xs">
        <Badge color="teal">{matched.length} matched</Badge>
        <Badge color="orange">{ambiguous.length} ambiguous</Badge>
        <Badge color="gray">{unmatched.length} unmatched</Badge>
      </Group>
      <Table aria-label="Matched customers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Customer</Table.Th>
            <Table.Th>{system} account</Table.Th>
            <Table.Th>Matched by</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {matched.map((m) => (
            <Table.Tr key={m.customer.id}>
              <Table.Td>{m.customer.name}</Table.Td>
              <Table.Td>{m.account.name}</Table.Td>
              <Table.Td>{m.by === 'identifier' ? 'Identifier' : 'Confirmed by an admin'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {ambiguous.length > 0 && (
        <Stack gap={4} aria-label="Ambiguous identifiers">
          {ambiguous.map((a) => (
            <Text size="sm" key={a.matchValue}>
              “{a.matchValue}” is on {a.accounts.map((x) => x.name).join(', ')}
              {a.customers.length > 0 ? ` and ${a.customers.map((c) => c.name).join(', ')}` : ''}:
              not imported until each account has its own identifier.
            </Text>
          ))}
        </Stack>
      )}
      <Table aria-label="Unmatched customers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Unmatched customer</Table.Th>
            <Table.Th>Account of the same name</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {unmatched.map((u) => (
            <Table.Tr key={u.customer.id}>
              <Table.Td>{u.customer.name}</Table.Td>
              <Table.Td>
                {u.suggestions.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    None
                  </Text>
                ) : (
                  <Group gap="xs">
                    {u.suggestions.map((s) => (
                      <Button
                        key={s.id}
                        size="compact-sm"
                        variant="light"
                        loading={confirm.isPending}
                        onClick={() =>
                          confirm.mutate({
                            connectionId: connection.id,
                            customerId: u.customer.id,
                            accountId: s.id,
                          })
                        }
                      >
                        Confirm {s.name} is {u.customer.name}
                      </Button>
                    ))}
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  )
}
