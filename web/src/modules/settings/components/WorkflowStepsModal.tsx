import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core'
import { IconArrowDown, IconArrowUp, IconTrash } from '@tabler/icons-react'
import { useState } from 'react'
import {
  placeholders,
  stepRecipients,
  type StepRecipient,
  type Workflow,
} from '@contracts/workflows.ts'
import { errorMessage } from '../../../platform/api.ts'
import { notifySaved } from '../../../platform/notify.ts'
import { roleLabels } from '../../contacts/components/roles.ts'
import { useWorkflowWrites } from '../../organization/hooks/useOrganization.ts'

interface StepForm {
  key: string
  id?: string
  name: string
  delayDays: number
  subject: string
  body: string
  to: StepRecipient[]
  cc: StepRecipient[]
}

const recipientOptions = stepRecipients.map((value) => ({
  value,
  label: value === 'main' ? 'Main contact' : roleLabels[value],
}))

let counter = 0
const blank = (): StepForm => ({
  key: `new-${String(++counter)}`,
  name: '',
  delayDays: 0,
  subject: 'Payment reminder – {{customer.name}}',
  body: 'Hello {{contact.firstName}},\n\n\n\n{{member.name}}',
  to: ['main'],
  cc: [],
})

/** Settings → Workflows: a workflow's name and its ordered steps, edited and saved at once. */
export function WorkflowStepsModal(props: { workflow: Workflow; onClose: () => void }) {
  const { workflow, onClose } = props
  const { update } = useWorkflowWrites()
  const [name, setName] = useState(workflow.name)
  const [steps, setSteps] = useState<StepForm[]>(
    workflow.steps.map((step) => ({ ...step, key: step.id })),
  )
  const change = (key: string, patch: Partial<StepForm>) => {
    setSteps((current) => current.map((s) => (s.key === key ? { ...s, ...patch } : s)))
  }
  const move = (index: number, by: number) => {
    setSteps((current) => {
      const next = [...current]
      const [step] = next.splice(index, 1)
      if (step) next.splice(index + by, 0, step)
      return next
    })
  }
  const save = () => {
    update.mutate(
      {
        id: workflow.id,
        patch: { name, steps: steps.map(({ key: _key, ...step }) => step) },
      },
      {
        onSuccess: (saved) => {
          notifySaved(`Workflow ${saved.name} saved.`)
          onClose()
        },
      },
    )
  }
  return (
    <Modal opened onClose={onClose} title={`Edit ${workflow.name}`} size="xl">
      <Stack>
        <TextInput
          label="Workflow name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <Text size="xs" c="dimmed">
          Placeholders:{' '}
          {Object.keys(placeholders)
            .map((p) => `{{${p}}}`)
            .join(', ')}
        </Text>
        {steps.map((step, index) => (
          <Card key={step.key} withBorder padding="sm" aria-label={`Step ${String(index + 1)}`}>
            <Group align="flex-end">
              <TextInput
                label={`Step ${String(index + 1)} name`}
                value={step.name}
                onChange={(e) => change(step.key, { name: e.currentTarget.value })}
              />
              <NumberInput
                label="Delay (days)"
                min={0}
                value={step.delayDays}
                onChange={(value) => change(step.key, { delayDays: Number(value) || 0 })}
                w={110}
              />
              <ActionIcon
                variant="subtle"
                aria-label={`Move step ${String(index + 1)} up`}
                disabled={index === 0}
                onClick={() => move(index, -1)}
              >
                <IconArrowUp size={16} aria-hidden />
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                aria-label={`Move step ${String(index + 1)} down`}
                disabled={index === steps.length - 1}
                onClick={() => move(index, 1)}
              >
                <IconArrowDown size={16} aria-hidden />
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Remove step ${String(index + 1)}`}
                onClick={() => setSteps((current) => current.filter((s) => s.key !== step.key))}
              >
                <IconTrash size={16} aria-hidden />
              </ActionIcon>
            </Group>
            <Group grow mt="xs">
              <MultiSelect
                label="To"
                data={recipientOptions}
                value={step.to}
                onChange={(to) => change(step.key, { to: to })}
              />
              <MultiSelect
                label="Cc"
                data={recipientOptions}
                value={step.cc}
                onChange={(cc) => change(step.key, { cc: cc })}
              />
            </Group>
            <TextInput
              mt="xs"
              label="Subject"
              value={step.subject}
              onChange={(e) => change(step.key, { subject: e.currentTarget.value })}
            />
            <Textarea
              mt="xs"
              label="Body"
              autosize
              minRows={3}
              value={step.body}
              onChange={(e) => change(step.key, { body: e.currentTarget.value })}
            />
          </Card>
        ))}
        <Button variant="light" onClick={() => setSteps((current) => [...current, blank()])}>
          Add a step
        </Button>
        {update.error && (
          <Alert color="red" role="alert">
            {errorMessage(update.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={save} loading={update.isPending}>
            Save workflow
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
