import { Card, Text, Timeline, Title } from '@mantine/core'
import { sourceNames, type RecordSource } from '@contracts/customers.ts'
import { auditLabels } from '@contracts/fields.ts'
import type { AuditEvent } from '../api/customers.ts'
import { useCustomerHistory } from '../hooks/useCustomer.ts'

const actions: Record<string, string> = {
  create: 'created',
  update: 'changed',
  delete: 'deleted',
  archive: 'archived',
  restore: 'restored',
  erase: 'erased: its personal data was removed',
  // An import undone: what it created is removed (nothing after), what it changed is put back.
  undo: 'put back as before an import',
}

interface Change {
  key: string
  label: string
  before: unknown
  after: unknown
}

/** The fields an event changed, labelled as the catalogue says, by label. */
function changes(event: AuditEvent): Change[] {
  const before = event.before ?? {}
  const after = event.after ?? {}
  const labels: Record<string, string> =
    event.entity === 'contact'
      ? { ...auditLabels.contact, doNotRemind: 'Do not send reminders', bounceReason: 'Bounced' }
      : auditLabels.customer
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => key !== 'id' && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => ({ key, label: labels[key] ?? key, before: before[key], after: after[key] }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
}

const isSource = (value: string): value is RecordSource => value in sourceNames

/** A value of the trail as a person reads it. */
function show(key: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—'
  if (Array.isArray(value)) {
    return value.length === 0 ? '—' : value.map((item) => show(key, item)).join(', ')
  }
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (typeof value === 'string')
    return key === 'source' && isSource(value) ? sourceNames[value] : value
  return JSON.stringify(value)
}

/**
 * Each contact's email as the trail last shows it: an update holds only what it changed, so a
 * contact is named by the email its other events hold.
 */
function emailsOf(events: AuditEvent[]): Map<string, string> {
  const emails = new Map<string, string>()
  for (const event of events) {
    if (event.entity !== 'contact' || emails.has(event.entityId)) continue
    const email = event.after?.email ?? event.before?.email
    if (typeof email === 'string') emails.set(event.entityId, email)
  }
  return emails
}

function describe(event: AuditEvent, emails: Map<string, string>): string {
  if (event.entity === 'reminder') {
    const sent = event.after ?? {}
    // `unconfirmed`: Roster stopped while handing it to the mail server; it was not sent again.
    const how = sent.status === 'unconfirmed' ? 'possibly sent (delivery not confirmed)' : 'sent'
    return `Reminder "${show('step', sent.step)}" ${how} to ${show('to', sent.to)}${
      Array.isArray(sent.cc) && sent.cc.length > 0 ? ` (cc ${show('cc', sent.cc)})` : ''
    }: ${show('subject', sent.subject)}`
  }
  const subject = event.entity === 'contact' ? 'Contact' : 'Customer'
  const email = event.after?.email ?? event.before?.email ?? emails.get(event.entityId)
  const what = `${subject}${event.entity === 'contact' && typeof email === 'string' ? ` ${email}` : ''}`
  const action =
    event.action === 'undo' && event.after === null
      ? 'removed: the import that created it was undone'
      : (actions[event.action] ?? event.action)
  const fields = event.action === 'update' ? changes(event).map((change) => change.label) : []
  return `${what} ${action}${fields.length ? `: ${fields.join(', ')}` : ''}`
}

/** Who changed what and when, newest first (the audit trail), each change as old → new. */
export function HistoryCard({ customerId }: { customerId: string }) {
  const history = useCustomerHistory(customerId)
  const emails = emailsOf(history.data ?? [])
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
                {describe(event, emails)}
              </Text>
            }
          >
            {!['create', 'delete', 'send', 'archive', 'restore', 'erase'].includes(event.action) &&
            event.after !== null
              ? changes(event).map((change) => (
                  <Text key={change.key} size="xs">
                    {change.label}: {show(change.key, change.before)} →{' '}
                    {show(change.key, change.after)}
                  </Text>
                ))
              : null}
            <Text size="xs" c="dimmed">
              {event.actor.label} · {new Date(event.at).toLocaleString()}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Card>
  )
}
