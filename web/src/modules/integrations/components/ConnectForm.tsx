import {
  Alert,
  Button,
  Card,
  Collapse,
  Group,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react'
import { useState, type ReactNode, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import { notifySaved } from '../../../platform/notify.ts'
import type { ConnectorDescriptor } from '../api/integrations.ts'
import { useConnect, useConnectors, useStartConsent } from '../hooks/useIntegrations.ts'
import { ConnectorFields, hasFieldError } from './SecretFields.tsx'
import {
  filledValues,
  systemName,
  systemOptions,
  type FieldValues,
  type SourceSystem,
} from './systems.ts'

/** Connects a billing system: its credentials are checked by the system before anything is kept. */
export function ConnectForm() {
  const connectors = useConnectors()
  return (
    <Card withBorder padding="lg" mb="md">
      <Title order={2} size="h4" mb="xs">
        Connect a billing system
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Roster then keeps its customers, and their contacts, in step with it: every 15 minutes, when
        it sends a webhook, and when you ask.
      </Text>
      {connectors.data?.[0] ? (
        <ConnectFields connectors={connectors.data} first={connectors.data[0].system} />
      ) : connectors.data ? (
        <Text size="sm">This version of Roster cannot connect to any system.</Text>
      ) : connectors.error ? (
        <Alert color="red" role="alert">
          {errorMessage(connectors.error)}
        </Alert>
      ) : (
        <Loader aria-label="Loading the systems" />
      )}
    </Card>
  )
}

function ConnectFields({
  connectors,
  first,
}: {
  connectors: ConnectorDescriptor[]
  first: SourceSystem
}) {
  const [system, setSystem] = useState<SourceSystem>(first)
  const [name, setName] = useState('')
  const [settings, setSettings] = useState<FieldValues>({})
  const [secrets, setSecrets] = useState<FieldValues>({})
  const [advanced, setAdvanced] = useState(false)
  const connect = useConnect()
  const consent = useStartConsent()
  const descriptor = connectors.find((connector) => connector.system === system)
  // Connected by consent: what the consent brings (tokens, a tenant) is not asked for.
  const byConsent = descriptor?.auth === 'oauth2_authorization_code'
  const asked = (fields: ConnectorDescriptor['settings']) =>
    fields.filter((field) => !(byConsent && field.fromConsent))
  const settingFields = asked(descriptor?.settings ?? [])
  const secretFields = asked(descriptor?.secrets ?? [])
  const failure = byConsent ? consent.error : connect.error
  const error = failure instanceof ApiError ? failure : null
  // What every connection needs is shown; the optional (webhooks, base URL) is folded away.
  const needed = (fields: typeof settingFields) => fields.filter((field) => field.required)
  const optional = (fields: typeof settingFields) => fields.filter((field) => !field.required)
  const advancedError =
    hasFieldError('secrets', optional(secretFields), secretFields, error) ||
    hasFieldError('settings', optional(settingFields), settingFields, error)
  const showAdvanced = advanced || advancedError

  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    const input = {
      system,
      ...(name.trim() ? { name: name.trim() } : {}),
      settings: filledValues(settingFields, settings),
      secrets: filledValues(secretFields, secrets),
    }
    // The system's consent page comes next; its callback brings the admin back here.
    if (byConsent) {
      consent.mutate(input)
      return
    }
    connect.mutate(input, {
      onSuccess: (connection) => {
        notifySaved(`${connection.name} is connected; its first sync has started.`)
        setSystem(first)
        setName('')
        setSettings({})
        setSecrets({})
        setAdvanced(false)
      },
    })
  }

  /** The secrets and settings of the system's descriptor that `pick` keeps. */
  const fieldsOf = (pick: (fields: typeof settingFields) => typeof settingFields): ReactNode => (
    <>
      <ConnectorFields
        group="secrets"
        fields={pick(secretFields)}
        allFields={secretFields}
        values={secrets}
        onChange={setSecrets}
        error={error}
      />
      <ConnectorFields
        group="settings"
        fields={pick(settingFields)}
        allFields={settingFields}
        values={settings}
        onChange={setSettings}
        error={error}
      />
    </>
  )

  return (
    <form onSubmit={submit} aria-label="Connect a billing system" noValidate>
      {failure && (
        <Alert color="red" role="alert" mb="sm">
          {errorMessage(failure)}
        </Alert>
      )}
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="System"
            data={systemOptions(connectors)}
            value={system}
            allowDeselect={false}
            onChange={(value) => {
              const chosen = connectors.find((connector) => connector.system === value)
              if (chosen) setSystem(chosen.system)
            }}
            error={error?.fieldError('system')}
          />
          <TextInput
            label="Connection name"
            placeholder={systemName(system)}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={error?.fieldError('name')}
          />
          {fieldsOf(needed)}
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
            {descriptor?.webhookHeader === null
              ? 'Advanced: base URL'
              : 'Advanced: webhooks, base URL'}
          </Button>
          <Collapse expanded={showAdvanced} id="connect-advanced">
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
              {fieldsOf(optional)}
            </SimpleGrid>
          </Collapse>
        </div>
      </Stack>
      <Group mt="md">
        {byConsent ? (
          <Button type="submit" loading={consent.isPending || consent.isSuccess}>
            Continue to {systemName(system)}
          </Button>
        ) : (
          <Button type="submit" loading={connect.isPending}>
            Connect {systemName(system)}
          </Button>
        )}
        {byConsent && (
          <Text size="sm" c="dimmed">
            {systemName(system)} asks you to allow Roster to read its customers, then sends you back
            here.
          </Text>
        )}
      </Group>
    </form>
  )
}
