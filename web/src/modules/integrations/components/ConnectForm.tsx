import {
  Alert,
  Button,
  Card,
  Collapse,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react'
import { useState, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import { notifySaved } from '../../../platform/notify.ts'
import { useConnect } from '../hooks/useIntegrations.ts'
import { ApiKeyField, WebhookSecretFields } from './SecretFields.tsx'
import {
  blankSecrets,
  secretsOf,
  systemName,
  systemOptions,
  type SecretValues,
  type SourceSystem,
} from './systems.ts'

const blank = { system: 'stripe' as SourceSystem, name: '', site: '', baseUrl: '' }

/** Connects a billing system: its credentials are checked by the system before anything is kept. */
export function ConnectForm() {
  const [values, setValues] = useState(blank)
  const [secrets, setSecrets] = useState<SecretValues>(blankSecrets)
  const [advanced, setAdvanced] = useState(false)
  const connect = useConnect()
  const error = connect.error instanceof ApiError ? connect.error : null
  const { system } = values
  const settingsError = error?.fieldError('settings')
  const siteError =
    error?.fieldError('settings.site') ?? (system === 'chargebee' ? settingsError : undefined)
  const baseUrlError =
    error?.fieldError('settings.baseUrl') ?? (system === 'stripe' ? settingsError : undefined)
  const advancedError =
    baseUrlError ?? error?.details.find((d) => d.path?.startsWith('secrets.webhook'))?.message
  const showAdvanced = advanced || advancedError !== undefined

  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    const settings: Record<string, string> = {}
    if (system === 'chargebee') settings.site = values.site.trim()
    if (values.baseUrl.trim()) settings.baseUrl = values.baseUrl.trim()
    connect.mutate(
      {
        system,
        ...(values.name.trim() ? { name: values.name.trim() } : {}),
        settings,
        secrets: secretsOf(system, secrets),
      },
      {
        onSuccess: (connection) => {
          notifySaved(`${connection.name} is connected; its first sync has started.`)
          setValues(blank)
          setSecrets(blankSecrets)
          setAdvanced(false)
        },
      },
    )
  }

  return (
    <Card withBorder padding="lg" mb="md">
      <Title order={2} size="h4" mb="xs">
        Connect a billing system
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Roster then keeps its customers, and their contacts, in step with it: every 15 minutes, when
        it sends a webhook, and when you ask.
      </Text>
      <form onSubmit={submit} aria-label="Connect a billing system" noValidate>
        {connect.error && (
          <Alert color="red" role="alert" mb="sm">
            {errorMessage(connect.error)}
          </Alert>
        )}
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label="System"
              data={systemOptions}
              value={system}
              allowDeselect={false}
              onChange={(value) => {
                if (value) setValues({ ...values, system: value })
              }}
              error={error?.fieldError('system')}
            />
            <TextInput
              label="Connection name"
              placeholder={systemName(system)}
              value={values.name}
              onChange={(e) => setValues({ ...values, name: e.currentTarget.value })}
              error={error?.fieldError('name')}
            />
            <ApiKeyField system={system} values={secrets} onChange={setSecrets} error={error} />
            {system === 'chargebee' && (
              <TextInput
                label="Chargebee site"
                description="The site's name, like acme-test for acme-test.chargebee.com."
                required
                value={values.site}
                onChange={(e) => setValues({ ...values, site: e.currentTarget.value })}
                error={siteError}
              />
            )}
          </SimpleGrid>
          <div>
            <Button
              variant="subtle"
              size="compact-sm"
              px={0}
              aria-expanded={showAdvanced}
              aria-controls="connect-advanced"
              leftSection={
                showAdvanced ? (
                  <IconChevronDown size={16} aria-hidden />
                ) : (
                  <IconChevronRight size={16} aria-hidden />
                )
              }
              onClick={() => setAdvanced(!showAdvanced)}
            >
              Advanced: webhooks, base URL
            </Button>
            <Collapse expanded={showAdvanced} id="connect-advanced">
              <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
                <WebhookSecretFields
                  system={system}
                  values={secrets}
                  onChange={setSecrets}
                  error={error}
                />
                <TextInput
                  label="Base URL"
                  description={`Only for a proxy or a test server standing in for ${systemName(system)}.`}
                  placeholder="https://…"
                  value={values.baseUrl}
                  onChange={(e) => setValues({ ...values, baseUrl: e.currentTarget.value })}
                  error={baseUrlError}
                />
              </SimpleGrid>
            </Collapse>
          </div>
        </Stack>
        <Group mt="md">
          <Button type="submit" loading={connect.isPending}>
            Connect {systemName(system)}
          </Button>
        </Group>
      </form>
    </Card>
  )
}
