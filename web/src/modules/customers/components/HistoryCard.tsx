import { Card, Text, Timeline, Title } from '@mantine/core'
import type { AuditEvent } from '../api/customers.ts'
import { useCustomerHistory } from '../hooks/useCustomer.ts'

const actions: Record<string, string> = { create: 'created', update: 'changed', delete: 'deleted' }
const fieldLabels: Record<string, string> = {
  name: 'Name',
  externalId: 'ID',
  accountingCode: 'Accounting code',
  vatNumber: 'VAT number',
  address: 'Address',
  postalCode: 'Postal code',
  city: 'City',
  country: 'Country',
  currency: 'Currency',
  group: 'Group',
  accountManagers: 'Account managers',
  workflow: 'Workflow',
  source: 'Source',
  email: 'Email',
  firstName: 'First name',
  lastName: 'Family name',
  phone: 'Phone number',
  role: 'Role',
  isMain: 'Main contact',
}

/** The fields an event changed, by name. */
function changedFields(event: AuditEvent): string[] {
  const before = event.before ?? {}
  const after = event.after ?? {}
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => key !== 'id' && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => fieldLabels[key] ?? key)
    .sort()
}

function describe(event: AuditEvent): string {
  const subject = event.entity === 'contact' ? 'Contact' : 'Customer'
  const email = (event.after ?? event.before)?.email
  const what = `${subject}${event.entity === 'contact' && typeof email === 'string' ? ` ${email}` : ''}`
  const action = actions[event.action] ?? event.action
  const fields = event.action === 'update' ? changedFields(event) : []
  return `${what} ${action}${fields.length ? `: ${fields.join(', ')}` : ''}`
}

/** Who changed what and when, newest first (the audit trail). */
export function HistoryCard({ customerId }: { customerId: string }) {
  const history = useCustomerHistory(customerId)
  return (
    <Card withBorder padding="lg">
      <Title order={2} size="h4" mb="sm">
        History
      </Title>
      <Timeline bulletSize={12} lineWidth={2}>
        {(history.data ?? []).slice(0, 50).map((event) => (
          <Timeline.Item
            key={event.id}
            title={
              <Text size="sm" fw={500}>
                {describe(event)}
              </Text>
            }
          >
            <Text size="xs" c="dimmed">
              {event.actor.label} · {new Date(event.at).toLocaleString()}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Card>
  )
}
