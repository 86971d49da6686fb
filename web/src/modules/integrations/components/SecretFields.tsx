import { PasswordInput, TextInput } from '@mantine/core'
import type { ApiError } from '../../../platform/api.ts'
import type { ConnectorDescriptor } from '../api/integrations.ts'
import type { FieldValues } from './systems.ts'

type Field = ConnectorDescriptor['secrets'][number]

interface Props {
  /** `settings` or `secrets`: where the API reports their errors. */
  group: 'settings' | 'secrets'
  fields: readonly Field[]
  /** All the group's fields, to find which one shows an error about the group as a whole. */
  allFields: readonly Field[]
  values: FieldValues
  onChange: (values: FieldValues) => void
  error: ApiError | null
}

/** The field an error about the whole group goes to: the first required one, else the first. */
const groupErrorField = (fields: readonly Field[]): string | undefined =>
  (fields.find((field) => field.required) ?? fields[0])?.key

/** A connector's settings or secrets, as its descriptor declares them. */
export function ConnectorFields({ group, fields, allFields, values, onChange, error }: Props) {
  const groupError = error?.fieldError(group)
  const holder = groupErrorField(allFields)
  const inputs = fields.map((field) => {
    const props = {
      label: field.label,
      description: field.help,
      required: field.required,
      placeholder: field.placeholder,
      autoComplete: 'off',
      value: values[field.key] ?? '',
      onChange: (e: { currentTarget: { value: string } }) =>
        onChange({ ...values, [field.key]: e.currentTarget.value }),
      error:
        error?.fieldError(`${group}.${field.key}`) ??
        (field.key === holder ? groupError : undefined),
    }
    return field.masked ? (
      <PasswordInput key={field.key} {...props} />
    ) : (
      <TextInput key={field.key} {...props} />
    )
  })
  return <>{inputs}</>
}

/** The fields' own errors or the group's: whether one of them has something to say. */
export function hasFieldError(
  group: 'settings' | 'secrets',
  fields: readonly Field[],
  allFields: readonly Field[],
  error: ApiError | null,
): boolean {
  if (!error) return false
  const holder = groupErrorField(allFields)
  return fields.some(
    (field) =>
      error.fieldError(`${group}.${field.key}`) !== undefined ||
      (field.key === holder && error.fieldError(group) !== undefined),
  )
}
