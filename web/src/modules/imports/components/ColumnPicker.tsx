import type { ColumnMapping, ImportField } from '@contracts/imports.ts'
import { Badge, Group, Paper, Select, Stack, Text } from '@mantine/core'
import { fieldInfo, fieldsByGroup, groupLabels, isImportField } from '../fields.ts'

const ignore = 'ignore'

interface ColumnPickerProps {
  name: string
  /** A few values of the column from the first lines. */
  samples: string[]
  field: ImportField | null
  mapping: ColumnMapping
  columnNames: string[]
  required: ReadonlySet<ImportField>
  onChange: (field: ImportField | null) => void
}

/** One column of the file: its name, sample values and the Roster field it fills. */
export function ColumnPicker(props: ColumnPickerProps) {
  const { name, samples, field, mapping, columnNames, required, onChange } = props
  const usedBy = new Map<ImportField, string>()
  mapping.forEach((mapped, index) => {
    if (mapped && mapped !== field) usedBy.set(mapped, columnNames[index] ?? '')
  })
  const data = [
    { value: ignore, label: 'Ignore this column' },
    ...fieldsByGroup.map(({ group, fields }) => ({
      group: groupLabels[group],
      items: fields.map((value) => ({
        value,
        label: fieldInfo[value].label,
        disabled: usedBy.has(value),
      })),
    })),
  ]

  return (
    <Paper withBorder px="sm" py="xs" component="li" style={{ listStyle: 'none' }}>
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Stack gap={0} style={{ flex: '1 1 180px', minWidth: 0 }}>
          <Text fw={600} size="sm" truncate>
            {name}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {samples.length > 0 ? samples.join(' · ') : 'Empty in the first lines'}
          </Text>
        </Stack>
        <Group
          gap="xs"
          wrap="nowrap"
          style={{ flex: '1 1 240px', maxWidth: 400 }}
          justify="flex-end"
        >
          {field && required.has(field) && <RequiredBadge />}
          <Select
            aria-label={`Roster field for column ${name}`}
            data={data}
            value={field ?? ignore}
            onChange={(value) => onChange(value && isImportField(value) ? value : null)}
            allowDeselect={false}
            searchable
            selectFirstOptionOnChange
            maxDropdownHeight={360}
            comboboxProps={{ width: 340, position: 'bottom-end' }}
            nothingFoundMessage="No field by that name"
            style={{ flex: '1 1 auto', maxWidth: 280 }}
            renderOption={({ option }) => {
              const known = isImportField(option.value) ? option.value : null
              const taken = known ? usedBy.get(known) : undefined
              return (
                <Stack gap={0} w="100%">
                  <Group gap={6} wrap="nowrap" justify="space-between">
                    <span>{option.label}</span>
                    {taken !== undefined ? (
                      <Text size="xs" c="dimmed" truncate>
                        mapped to {taken}
                      </Text>
                    ) : (
                      known && required.has(known) && <RequiredBadge />
                    )}
                  </Group>
                  {known && (
                    <Text size="xs" c="dimmed" lineClamp={2}>
                      {fieldInfo[known].description}
                    </Text>
                  )}
                </Stack>
              )
            }}
          />
        </Group>
      </Group>
    </Paper>
  )
}

function RequiredBadge() {
  return (
    <Badge size="sm" color="red" variant="light" tt="none" style={{ flexShrink: 0 }}>
      Required
    </Badge>
  )
}
