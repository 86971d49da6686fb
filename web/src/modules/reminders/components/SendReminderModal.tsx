import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core'
import { IconX } from '@tabler/icons-react'
import { useState } from 'react'
import type { ContactRole } from '@contracts/contacts.ts'
import type { RecipientChoice } from '@contracts/reminders.ts'
import { errorMessage } from '../../../platform/api.ts'
import { notifySaved } from '../../../platform/notify.ts'
import { contactName } from '../../customers/components/customerColumns.tsx'
import { useContacts, useContactWrites } from '../../contacts/hooks/useContacts.ts'
import { roleOptions } from '../../contacts/components/roles.ts'
import type { Customer } from '../../customers/api/customers.ts'
import { useWorkflows } from '../../organization/hooks/useOrganization.ts'
import type { ReminderDraft } from '../api/reminders.ts'
import { useReminderDraft, useSendReminder } from '../hooks/useReminders.ts'

interface Recipient {
  email: string
  label: string
  choice: RecipientChoice | null
  /** Saved as a contact of the customer when the reminder is sent. */
  fresh?: { firstName: string | null; role: ContactRole | null }
}

type Field = 'to' | 'cc'

/** "Send a reminder": the step, its resolved recipients and text, adjusted on the spot. */
export function SendReminderModal(props: {
  customer: Customer
  opened: boolean
  onClose: () => void
}) {
  const { customer, opened, onClose } = props
  const workflows = useWorkflows()
  const steps = (workflows.data ?? []).flatMap((workflow) =>
    workflow.steps.map((step) => ({
      value: step.id,
      label: `${workflow.name} — ${step.name}`,
      own: workflow.name === customer.workflow,
    })),
  )
  const [chosenStep, setStep] = useState<string | null>(null)
  const stepId = chosenStep ?? steps.find((s) => s.own)?.value ?? steps[0]?.value ?? null
  const draft = useReminderDraft(customer.id, opened ? stepId : null)
  return (
    <Modal opened={opened} onClose={onClose} title="Send a reminder" size="lg">
      <Stack>
        <Select
          label="Step"
          data={steps.map(({ value, label }) => ({ value, label }))}
          value={stepId}
          onChange={setStep}
          allowDeselect={false}
          nothingFoundMessage="No workflow has steps yet: add them in Settings → Workflows."
        />
        {steps.length === 0 && workflows.isSuccess && (
          <Alert color="yellow">No workflow has steps yet: add them in Settings → Workflows.</Alert>
        )}
        {draft.isFetching && <Loader size="sm" aria-label="Preparing the reminder" />}
        {draft.error && (
          <Alert color="red" role="alert">
            {errorMessage(draft.error)}
          </Alert>
        )}
        {draft.data && stepId && !draft.isFetching && (
          <DraftEditor
            key={`${stepId}-${String(draft.dataUpdatedAt)}`}
            customer={customer}
            stepId={stepId}
            draft={draft.data}
            onSent={onClose}
            onRecipientsChanged={() => void draft.refetch()}
          />
        )}
      </Stack>
    </Modal>
  )
}

const fromDraft = (list: ReminderDraft['to']): Recipient[] =>
  list.map((r) => ({
    email: r.email,
    label: `${r.name ? `${r.name} · ` : ''}${r.email} — ${r.why}`,
    choice: r.contactId ? { contactId: r.contactId } : { email: r.email },
  }))

function DraftEditor(props: {
  customer: Customer
  stepId: string
  draft: ReminderDraft
  onSent: () => void
  /** The main contact changed: the recipients are resolved again. */
  onRecipientsChanged: () => void
}) {
  const { customer, stepId, draft, onSent, onRecipientsChanged } = props
  const contacts = useContacts(customer.id)
  const writes = useContactWrites(customer.id)
  const send = useSendReminder(customer.id)
  const [lists, setLists] = useState<Record<Field, Recipient[]>>({
    to: fromDraft(draft.to),
    cc: fromDraft(draft.cc),
  })
  const [subject, setSubject] = useState(draft.subject)
  const [body, setBody] = useState(draft.body)
  const [newEmail, setNewEmail] = useState('')
  const [newName, setNewName] = useState('')
  const [newRole, setNewRole] = useState<string | null>(null)
  const [newAs, setNewAs] = useState<Field>('to')
  const owner = draft.contactsLockedBy

  const taken = new Set([...lists.to, ...lists.cc].map((r) => r.email.toLowerCase()))
  // A bounced contact may be tried again on purpose; one who opted out may not.
  const others = (contacts.data ?? []).flatMap((c) =>
    c.email !== null && !taken.has(c.email.toLowerCase()) && !c.doNotRemind && !c.emailOptedOut
      ? [{ ...c, email: c.email }]
      : [],
  )
  const main = (contacts.data ?? []).find((c) => c.isMain)
  const add = (field: Field, recipient: Recipient) => {
    if (taken.has(recipient.email.toLowerCase())) return
    setLists((current) => ({ ...current, [field]: [...current[field], recipient] }))
  }
  const remove = (field: Field, email: string) => {
    setLists((current) => ({
      ...current,
      [field]: current[field].filter((r) => r.email !== email),
    }))
  }
  const addNew = () => {
    const email = newEmail.trim()
    if (email === '') return
    add(newAs, {
      email,
      label: owner
        ? `${email} — for this reminder only`
        : `${newName ? `${newName} · ` : ''}${email} — new contact`,
      choice: owner ? { email } : null,
      fresh: owner
        ? undefined
        : { firstName: newName.trim() || null, role: newRole as ContactRole | null },
    })
    setNewEmail('')
    setNewName('')
    setNewRole(null)
  }
  const submit = () => {
    const chosen = (field: Field) => lists[field].flatMap((r) => (r.choice ? [r.choice] : []))
    const newContacts = (['to', 'cc'] as const).flatMap((field) =>
      lists[field].flatMap((r) =>
        r.fresh
          ? [{ email: r.email, firstName: r.fresh.firstName, role: r.fresh.role, as: field }]
          : [],
      ),
    )
    send.mutate(
      {
        step: stepId,
        to: chosen('to'),
        cc: chosen('cc'),
        ...(newContacts.length > 0 ? { newContacts } : {}),
        subject,
        body,
      },
      {
        onSuccess: (reminder) => {
          notifySaved(
            `Reminder queued to ${reminder.to.map((r) => r.email).join(', ')}: it is being sent.`,
          )
          onSent()
        },
      },
    )
  }

  return (
    <Stack>
      {draft.warnings.map((warning) => (
        <Alert key={warning} color="yellow">
          {warning}
        </Alert>
      ))}
      {(['to', 'cc'] as const).map((field) => (
        <div key={field}>
          <Title order={3} size="h6">
            {field === 'to' ? 'To' : 'Cc'}
          </Title>
          <Stack gap={4} role="list" aria-label={field === 'to' ? 'To' : 'Cc'}>
            {lists[field].length === 0 && (
              <Text size="sm" c="dimmed">
                Nobody.
              </Text>
            )}
            {lists[field].map((r) => (
              <Group key={r.email} gap="xs" role="listitem">
                <Text size="sm">{r.label}</Text>
                {r.fresh && <Badge size="xs">new</Badge>}
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label={`Remove ${r.email}`}
                  onClick={() => remove(field, r.email)}
                >
                  <IconX size={14} aria-hidden />
                </ActionIcon>
              </Group>
            ))}
          </Stack>
        </div>
      ))}
      {others.length > 0 && (
        <Select
          label="Add one of the customer’s contacts"
          placeholder="Choose a contact"
          data={others.map((c) => ({
            value: c.id,
            label: c.bouncedAt ? `${c.email} (bounced)` : c.email,
          }))}
          value={null}
          onChange={(id) => {
            const contact = others.find((c) => c.id === id)
            if (contact) {
              add('to', {
                email: contact.email,
                label: contact.bouncedAt
                  ? `${contact.email} — chosen, although its email bounced`
                  : `${contact.email} — chosen`,
                choice: { contactId: contact.id },
              })
            }
          }}
        />
      )}
      {!owner && (contacts.data?.length ?? 0) > 0 && (
        <Select
          label="Main contact"
          description="Saved on the customer; the recipients are resolved again."
          placeholder="No main contact"
          data={(contacts.data ?? []).map((c) => ({
            value: c.id,
            label: `${contactName(c)}${contactName(c) === c.email ? '' : ` · ${c.email}`}`,
          }))}
          value={main?.id ?? null}
          allowDeselect={false}
          disabled={writes.update.isPending}
          onChange={(id) => {
            if (!id || id === main?.id) return
            writes.update.mutate(
              { id, patch: { isMain: true } },
              { onSuccess: onRecipientsChanged },
            )
          }}
        />
      )}
      <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
        <Title order={3} size="h6" mb={4}>
          {owner ? 'Add an address for this reminder only' : 'Add a new contact'}
        </Title>
        {owner && (
          <Text size="sm" c="dimmed" mb={4}>
            Contacts of this customer are synced from {owner}: a new contact is added there. You can
            still send this reminder to another address.
          </Text>
        )}
        <Group align="flex-end">
          <TextInput
            label={owner ? 'Address' : 'New contact email'}
            value={newEmail}
            onChange={(e) => setNewEmail(e.currentTarget.value)}
          />
          {!owner && (
            <>
              <TextInput
                label="First name"
                value={newName}
                onChange={(e) => setNewName(e.currentTarget.value)}
              />
              <Select
                label="Role"
                data={roleOptions}
                value={newRole}
                onChange={setNewRole}
                clearable
                w={140}
              />
            </>
          )}
          <Select
            label="As"
            data={[
              { value: 'to', label: 'To' },
              { value: 'cc', label: 'Cc' },
            ]}
            value={newAs}
            onChange={(value) => setNewAs(value === 'cc' ? 'cc' : 'to')}
            allowDeselect={false}
            w={80}
          />
          <Button variant="light" onClick={addNew} disabled={newEmail.trim() === ''}>
            {owner ? 'Add address' : 'Add contact'}
          </Button>
        </Group>
      </fieldset>
      <TextInput
        label="Subject"
        value={subject}
        onChange={(e) => setSubject(e.currentTarget.value)}
      />
      <Textarea
        label="Message"
        value={body}
        onChange={(e) => setBody(e.currentTarget.value)}
        autosize
        minRows={5}
      />
      {send.error && (
        <Alert color="red" role="alert">
          {errorMessage(send.error)}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button onClick={submit} loading={send.isPending} disabled={lists.to.length === 0}>
          Send reminder
        </Button>
      </Group>
    </Stack>
  )
}
