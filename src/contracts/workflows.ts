import { z } from 'zod'
import { contactRoles } from './fields.ts'

/** Who a step writes to: the main contact, or the contacts of a role. */
export const stepRecipients = ['main', ...contactRoles] as const
export type StepRecipient = (typeof stepRecipients)[number]

/** The placeholders a step's subject and body may use, with what each becomes. */
export const placeholders = {
  'customer.name': "The customer's name",
  'customer.externalId': "The customer's ID",
  'contact.firstName': "The first recipient's first name",
  'contact.lastName': "The first recipient's family name",
  'contact.email': "The first recipient's email",
  'member.name': 'The name of the member who sends the reminder',
  'member.email': 'The email of the member who sends the reminder',
  'organization.name': "Your organisation's name",
  'step.name': "The step's name",
} as const
export type Placeholder = keyof typeof placeholders

const placeholderPattern = /\{\{\s*([^{}]*?)\s*\}\}/g

/** The placeholders of a text that Roster does not know. */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(placeholderPattern)]
    .map((match) => match[1] ?? '')
    .filter((name) => !(name in placeholders))
}

/** Replaces each placeholder by its value (an unknown or missing one by nothing). */
export function renderTemplate(text: string, values: Partial<Record<Placeholder, string>>): string {
  return text.replace(placeholderPattern, (_, name: string) =>
    name in placeholders ? (values[name as Placeholder] ?? '') : '',
  )
}

const templateText = (what: string, max: number) =>
  z
    .string()
    .max(max)
    .superRefine((value, ctx) => {
      const unknown = unknownPlaceholders(value)
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `Unknown placeholder${unknown.length > 1 ? 's' : ''} in the ${what}: ${unknown
            .map((name) => `{{${name}}}`)
            .join(', ')}. Use one of ${Object.keys(placeholders)
            .map((name) => `{{${name}}}`)
            .join(', ')}.`,
        })
      }
    })

const recipientList = z
  .array(
    z.enum(stepRecipients, {
      error: `A recipient is "main" or a role: ${contactRoles.join(', ')}.`,
    }),
  )
  .max(stepRecipients.length)
  .refine((list) => new Set(list).size === list.length, 'A recipient is listed twice.')

export const workflowStepInput = z
  .strictObject({
    id: z.uuid().optional(),
    name: z.string().trim().min(1, 'Give the step a name.').max(200),
    delayDays: z.number().int().min(0, 'The delay is 0 days or more.').max(3650),
    subject: templateText('subject', 500).refine(
      (value) => value.trim() !== '',
      'Give the email a subject.',
    ),
    body: templateText('body', 20_000).refine(
      (value) => value.trim() !== '',
      'Write the email body.',
    ),
    to: recipientList.min(1, 'A step needs at least one recipient in To.'),
    cc: recipientList.default([]),
  })
  .refine((step) => !step.to.some((r) => step.cc.includes(r)), {
    message: 'A recipient cannot be both in To and in Cc.',
    path: ['cc'],
  })
export type WorkflowStepInput = z.infer<typeof workflowStepInput>

const stepList = z
  .array(workflowStepInput)
  .max(50)
  .refine(
    (steps) => new Set(steps.map((s) => s.name.toLowerCase())).size === steps.length,
    'Two steps have the same name.',
  )

const workflowName = z.string().trim().min(1, 'Give the workflow a name.').max(200)

export const workflowCreate = z.strictObject({ name: workflowName, steps: stepList.optional() })
export const workflowPatch = z.strictObject({
  name: workflowName.optional(),
  /** The whole ordered list: steps left out are deleted, those with an id kept. */
  steps: stepList.optional(),
})
export type WorkflowCreate = z.infer<typeof workflowCreate>
export type WorkflowPatch = z.infer<typeof workflowPatch>

export const workflowStep = z.object({
  id: z.uuid(),
  name: z.string(),
  delayDays: z.number().int(),
  subject: z.string(),
  body: z.string(),
  to: z.array(z.enum(stepRecipients)),
  cc: z.array(z.enum(stepRecipients)),
})
export type WorkflowStep = z.infer<typeof workflowStep>

export const workflow = z.object({
  id: z.uuid(),
  name: z.string(),
  steps: z.array(workflowStep),
  /** How many customers follow it. */
  customerCount: z.number().int(),
  createdAt: z.iso.datetime(),
})
export type Workflow = z.infer<typeof workflow>

export const workflowDeleted = z.object({
  /** The customers that followed it and now follow none. */
  customersUnassigned: z.array(z.object({ id: z.uuid(), name: z.string() })),
})
