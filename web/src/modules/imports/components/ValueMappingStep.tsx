import type { ContactRole } from '@contracts/contacts.ts'
import { Alert, Loader, Select, Stack, Table, Text, Title } from '@mantine/core'
import { errorMessage } from '../../../platform/api.ts'
import { roleOptions } from '../../contacts/components/roles.ts'
import type { UnknownValue, ValueMap } from '../api/imports.ts'
import { useUnknownValues } from '../hooks/useImports.ts'
import { plural } from '../format.ts'

/** The choice that leaves the cell empty (null in the value map). */
const EMPTY = 'EMPTY'
const options = [...roleOptions, { value: EMPTY, label: 'Leave the role empty' }]

type Roles = NonNullable<ValueMap['contact.role']>

/**
 * Each value of the file no role is known by, with a role to choose (or none), and the values
 * this import already maps (chosen before, or remembered from the organisation's earlier
 * imports), which may be changed.
 */
export function ValueMappingStep({
  importId,
  valueMap,
  onChange,
}: {
  importId: string
  valueMap: ValueMap
  onChange: (next: ValueMap) => void
}) {
  const unknown = useUnknownValues(importId, true)
  if (unknown.isPending) return <Loader size="sm" aria-label="Loading the values to map" />
  if (unknown.error) {
    return (
      <Alert color="red" role="alert" title="The values could not be read">
        {errorMessage(unknown.error)}
      </Alert>
    )
  }
  const roles: Roles = valueMap['contact.role'] ?? {}
  const known = new Set(unknown.data.map((value) => value.value.toLowerCase()))
  const rows: { value: string; lines: number | null }[] = [
    ...unknown.data.map((value: UnknownValue) => ({ value: value.value, lines: value.lines })),
    ...Object.keys(roles)
      .filter((value) => !known.has(value.toLowerCase()))
      .map((value) => ({ value, lines: null })),
  ]
  const choose = (value: string, choice: string | null) => {
    const others = Object.entries(roles).filter(([mapped]) => mapped !== value)
    const chosen: Roles =
      choice === null ? {} : { [value]: choice === EMPTY ? null : (choice as ContactRole) }
    onChange({ ...valueMap, 'contact.role': { ...Object.fromEntries(others), ...chosen } })
  }

  return (
    <Stack gap="md" component="section" aria-labelledby="values-heading">
      <div>
        <Title order={2} size="h4" id="values-heading">
          Values to map
        </Title>
        <Text size="sm" c="dimmed">
          Roster reads roles in English and French (Comptabilité, Ventes, Achats, Payeur…). Say what
          the other values of your file mean; Roster remembers it for your next files.
        </Text>
      </div>
      {rows.length === 0 ? (
        <Text>Every value of the file is understood.</Text>
      ) : (
        <Table withTableBorder striped aria-label="Values to map">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Value in the file</Table.Th>
              <Table.Th scope="col">Lines</Table.Th>
              <Table.Th scope="col">Role</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map(({ value, lines }) => {
              const choice = value in roles ? (roles[value] ?? EMPTY) : null
              return (
                <Table.Tr key={value}>
                  <Table.Td style={{ wordBreak: 'break-word' }}>{value}</Table.Td>
                  <Table.Td>{lines === null ? 'Mapped' : plural(lines, 'line')}</Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={`Role for "${value}"`}
                      placeholder="Not mapped: the lines are rejected"
                      data={options}
                      value={choice}
                      onChange={(next) => choose(value, next)}
                      clearable
                    />
                  </Table.Td>
                </Table.Tr>
              )
            })}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  )
}
