import type { ColumnMapping, ImportField } from '@contracts/imports.ts'
import { Alert, Badge, Group, List, Loader, Stack, Text, Title } from '@mantine/core'
import { IconCheck, IconX } from '@tabler/icons-react'
import type { ImportPreview } from '../api/imports.ts'
import type { Check } from '../hooks/useMappingCheck.ts'
import { columnName, fieldInfo, requiredFields } from '../fields.ts'
import { plural, pluralOf } from '../format.ts'
import { ColumnPicker } from './ColumnPicker.tsx'
import { MappedPreview } from './MappedPreview.tsx'

interface MappingStepProps {
  preview: ImportPreview
  mapping: ColumnMapping
  onChange: (mapping: ColumnMapping) => void
  check: Check | null
  checking: boolean
  /** Whether the lines are checked as the member maps (small files). */
  auto: boolean
}

/** Maps each column of the file to a Roster field, with a live preview of the first lines. */
export function MappingStep({
  preview,
  mapping,
  onChange,
  check,
  checking,
  auto,
}: MappingStepProps) {
  const names = preview.columns.map((_, index) => columnName(preview.columns, index))
  const required = requiredFields(mapping)
  const requiredSet = new Set<ImportField>(required)
  const setField = (index: number, field: ImportField | null) =>
    onChange(mapping.map((current, i) => (i === index ? field : current)))

  return (
    <Stack gap="lg">
      <RequiredFields required={required} mapping={mapping} names={names} />
      <section aria-labelledby="columns-heading">
        <Title order={2} size="h4" mb="xs" id="columns-heading">
          Columns of the file
        </Title>
        <Stack component="ul" gap="xs" p={0} m={0}>
          {preview.columns.map((_, index) => (
            <ColumnPicker
              key={index}
              name={names[index] ?? ''}
              samples={samplesOf(preview, index)}
              field={mapping[index] ?? null}
              mapping={mapping}
              columnNames={names}
              required={requiredSet}
              onChange={(field) => setField(index, field)}
            />
          ))}
        </Stack>
      </section>
      <section aria-labelledby="preview-heading">
        <Title order={2} size="h4" mb="xs" id="preview-heading">
          Preview
        </Title>
        <Stack gap="sm">
          <CheckStatus check={check} checking={checking} auto={auto} />
          <MappedPreview
            preview={preview}
            mapping={mapping}
            rejected={check?.result?.rejected ?? null}
          />
        </Stack>
      </section>
    </Stack>
  )
}

/** Distinct non-blank values of a column in the first lines, at most three. */
function samplesOf(preview: ImportPreview, index: number): string[] {
  const values = preview.sample.map(({ cells }) => cells[index]?.trim() ?? '').filter(Boolean)
  return [...new Set(values)].slice(0, 3)
}

function RequiredFields(props: {
  required: ImportField[]
  mapping: ColumnMapping
  names: string[]
}) {
  const { required, mapping, names } = props
  if (required.length === 0) return null
  return (
    <Group gap="xs" aria-label="Required fields" role="group">
      <Text size="sm" fw={600}>
        Required:
      </Text>
      {required.map((field) => {
        const index = mapping.indexOf(field)
        const mapped = index >= 0
        return (
          <Badge
            key={field}
            color={mapped ? 'green' : 'red'}
            variant="light"
            leftSection={
              mapped ? <IconCheck size={12} aria-hidden /> : <IconX size={12} aria-hidden />
            }
            style={{ textTransform: 'none' }}
          >
            {fieldInfo[field].label}
            {mapped ? ` — column ${names[index] ?? ''}` : ' — missing'}
          </Badge>
        )
      })}
    </Group>
  )
}

function CheckStatus({
  check,
  checking,
  auto,
}: Omit<MappingStepProps, 'preview' | 'mapping' | 'onChange'>) {
  if (checking) {
    return (
      <Group gap="xs" aria-live="polite">
        <Loader size="xs" aria-hidden />
        <Text size="sm">Checking every line of the file with this mapping…</Text>
      </Group>
    )
  }
  if (check?.error) {
    const details = check.error.details.map((detail) => detail.message)
    return (
      <Alert color="red" role="alert" title="This mapping cannot be imported yet">
        <Text size="sm">{check.error.message}</Text>
        {details.length > 0 && (
          <List size="sm" mt="xs">
            {details.map((message) => (
              <List.Item key={message}>{message}</List.Item>
            ))}
          </List>
        )}
      </Alert>
    )
  }
  if (check?.result?.dryRun) {
    const { rejected, total } = check.result.dryRun.lines
    return (
      <Text size="sm" aria-live="polite" c={rejected > 0 ? 'red.8' : 'green.8'}>
        {rejected > 0
          ? `Checked: ${pluralOf(rejected, total, 'line')} will be rejected. Continue to the review to see them all.`
          : `Checked: the ${plural(total, 'line')} of the file can be imported.`}
      </Text>
    )
  }
  return (
    <Text size="sm" c="dimmed">
      {auto
        ? 'Once the required fields are mapped, the lines are checked and problems show on the cells.'
        : 'This file is large: its lines are checked when you continue to the review.'}
    </Text>
  )
}
