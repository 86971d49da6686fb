import {
  reminder,
  reminderDraft,
  type Reminder,
  type ReminderCreate,
  type ReminderDraft,
  type ResolvedRecipient,
} from '@contracts/reminders.ts'
import { api } from '../../../platform/api.ts'

export type { Reminder, ReminderCreate, ReminderDraft, ResolvedRecipient }

export const fetchDraft = (customerId: string, stepId: string): Promise<ReminderDraft> =>
  api(`/customers/${customerId}/reminders/draft?step=${encodeURIComponent(stepId)}`, {
    schema: reminderDraft,
  })

export const sendReminder = (customerId: string, input: ReminderCreate): Promise<Reminder> =>
  api(`/customers/${customerId}/reminders`, { method: 'POST', body: input, schema: reminder })
