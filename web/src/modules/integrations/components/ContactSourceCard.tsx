import { Alert, Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core'
import { IconLockOpen } from '@tabler/icons-react'
import { useState } from 'react'
import type { Connection, ContactSource } from '../api/integrations.ts'
import { useSetContactSource } from '../hooks/useIntegrations.ts'
import { DisconnectModal } from './DisconnectModal.tsx'
import { connectionLabel, systemName } from './systems.ts'

function Disconnected({ source }: { source: ContactSource }) {
  const done = source.contactsDisconnected
  if (!done) return null
  return (
    <Alert color="gray" role="note" icon={<IconLockOpen size={18} aria-hidden />}>
      Contacts were disconnected from the invoicing system on {new Date(done.at).toLocaleString()}
      {done.by ? ` by ${done.by}` : ''}. Roster is the contact source for good: contacts are edited
      here, and no sync changes them. This cannot be undone.
    </Alert>
  )
}

/** Where contacts come from: a connection, or Roster; and the one-way switch to Roster. */
export function ContactSourceCard({
  source,
  connections,
}: {
  source: ContactSource
  connections: Connection[]
}) {
  const [disconnecting, setDisconnecting] = useState(false)
  const choose = useSetContactSource()
  const current = source.connection
  // A CRM brings no customers: its contacts replace the billing system's on matched customers.
  const crm = (system: string): boolean => system === 'salesforce'
  const billing = connections
  return (
    <Card withBorder padding="lg" mb="md" component="section" aria-label="Contact source">
      <Title order={2} size="h4" mb="xs">
        Contact source
      </Title>
      <Stack gap="sm">
        <Text size="sm">
          {current
            ? `Contacts are synced from ${connectionLabel(current)}: they are read-only in Roster and change in ${systemName(current.system)}.`
            : 'Contacts are managed in Roster: they are edited here, and no sync changes them.'}
        </Text>
        {current && crm(current.system) && (
          <Text size="sm">
            {systemName(current.system)} contacts replace the billing system’s contacts on the
            customers its accounts match (they are never merged); the billing system keeps owning
            the customers, and unmatched customers keep the contacts they have.
          </Text>
        )}
        {!(current && crm(current.system)) && billing.some((c) => crm(c.system)) && (
          <Text size="sm">
            Choosing Salesforce replaces the billing system’s contacts with Salesforce’s on every
            customer an account matches; a full sync of it starts at once to bring them.
          </Text>
        )}
        <Disconnected source={source} />
        {!source.contactsDisconnected && billing.length > 0 && (
          <Group align="flex-end" wrap="wrap">
            <Select
              label="Sync contacts from"
              data={billing.map((c) => ({ value: c.id, label: connectionLabel(c) }))}
              value={current?.id ?? null}
              placeholder="Roster (no connection)"
              allowDeselect={false}
              disabled={choose.isPending}
              onChange={(id) => {
                if (id && id !== current?.id) choose.mutate(id)
              }}
              w={320}
              maw="100%"
            />
            {current && (
              <Button color="red" variant="light" onClick={() => setDisconnecting(true)}>
                Disconnect contacts from {systemName(current.system)}
              </Button>
            )}
          </Group>
        )}
      </Stack>
      {disconnecting && current && (
        <DisconnectModal
          system={systemName(current.system)}
          onClose={() => setDisconnecting(false)}
        />
      )}
    </Card>
  )
}
