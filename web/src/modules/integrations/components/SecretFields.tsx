import { PasswordInput, TextInput } from '@mantine/core'
import type { ApiError } from '../../../platform/api.ts'
import { systemName, type SecretValues, type SourceSystem } from './systems.ts'

interface Props {
  system: SourceSystem
  values: SecretValues
  onChange: (values: SecretValues) => void
  error: ApiError | null
}

/** The API key, on its own: it is the one secret every connection needs. */
export function ApiKeyField({ system, values, onChange, error }: Props) {
  return (
    <PasswordInput
      label={`${systemName(system)} API key`}
      description={
        system === 'stripe'
          ? 'A secret key (sk_…) or a restricted key that may read customers and events.'
          : 'A full-access or read-only API key of the site.'
      }
      required
      autoComplete="off"
      value={values.apiKey}
      onChange={(e) => onChange({ ...values, apiKey: e.currentTarget.value })}
      error={error?.fieldError('secrets.apiKey') ?? error?.fieldError('secrets')}
    />
  )
}

/** How the system proves its webhooks are its own: optional, as scheduled syncs work without. */
export function WebhookSecretFields({ system, values, onChange, error }: Props) {
  if (system === 'chargebee') {
    return (
      <>
        <TextInput
          label="Webhook username"
          description="The basic-authentication username set on the webhook in Chargebee."
          autoComplete="off"
          value={values.webhookUsername}
          onChange={(e) => onChange({ ...values, webhookUsername: e.currentTarget.value })}
          error={error?.fieldError('secrets.webhookUsername')}
        />
        <PasswordInput
          label="Webhook password"
          autoComplete="off"
          value={values.webhookPassword}
          onChange={(e) => onChange({ ...values, webhookPassword: e.currentTarget.value })}
          error={error?.fieldError('secrets.webhookPassword')}
        />
      </>
    )
  }
  return (
    <PasswordInput
      label="Webhook signing secret"
      description="whsec_…, shown by Stripe on the webhook endpoint's page."
      autoComplete="off"
      value={values.webhookSecret}
      onChange={(e) => onChange({ ...values, webhookSecret: e.currentTarget.value })}
      error={error?.fieldError('secrets.webhookSecret')}
    />
  )
}
