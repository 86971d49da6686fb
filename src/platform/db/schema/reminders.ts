import { sql } from 'drizzle-orm'
import {
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { actorKind } from './audit.ts'
import { customers } from './customers.ts'
import { workflows } from './workflows.ts'

export const stepRecipient = pgEnum('step_recipient', [
  'main',
  'ACCOUNTING',
  'SALES',
  'PURCHASER',
  'PAYER',
])

/** A workflow's ordered reminder steps (modules/workflows). */
export const workflowSteps = pgTable(
  'workflow_steps',
  {
    organizationId: uuid('organization_id').notNull(),
    id: uuid().notNull().defaultRandom(),
    workflowId: uuid('workflow_id').notNull(),
    position: integer().notNull(),
    name: text().notNull(),
    delayDays: integer('delay_days').notNull(),
    subject: text().notNull(),
    body: text().notNull(),
    to: stepRecipient().array().notNull(),
    cc: stepRecipient().array().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    index('workflow_steps_workflow_idx').on(t.organizationId, t.workflowId, t.position),
    foreignKey({
      columns: [t.organizationId, t.workflowId],
      foreignColumns: [workflows.organizationId, workflows.id],
    }).onDelete('cascade'),
  ],
)

/**
 * `sending`: handed to the mail server, not yet confirmed sent; `unconfirmed`: Roster stopped while
 * sending, so whether the mail server took it is not known (it is never sent again).
 */
export const reminderStatus = pgEnum('reminder_status', [
  'queued',
  'sending',
  'sent',
  'unconfirmed',
  'failed',
])

export interface ReminderAddress {
  contactId: string | null
  email: string
}

/** A reminder sent (or being sent) to a customer's contacts (modules/reminders). */
export const reminders = pgTable(
  'reminders',
  {
    organizationId: uuid('organization_id').notNull(),
    id: uuid().notNull().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    // The step may be edited or deleted later: its name is kept as sent.
    stepId: uuid('step_id'),
    stepName: text('step_name').notNull(),
    to: jsonb().$type<ReminderAddress[]>().notNull(),
    cc: jsonb().$type<ReminderAddress[]>().notNull(),
    subject: text().notNull(),
    body: text().notNull(),
    status: reminderStatus().notNull().default('queued'),
    reason: text(),
    /** The Message-ID header it is sent with; bounces are matched by it. */
    messageId: text('message_id').notNull(),
    actorKind: actorKind('actor_kind').notNull(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    index('reminders_customer_idx').on(t.organizationId, t.customerId, t.createdAt),
    uniqueIndex('reminders_message_id_unique').on(sql`lower(${t.messageId})`),
    foreignKey({
      columns: [t.organizationId, t.customerId],
      foreignColumns: [customers.organizationId, customers.id],
    }).onDelete('cascade'),
  ],
)

/** The bounces received, matched to a reminder; hard ones mark the contact. */
export const reminderBounces = pgTable(
  'reminder_bounces',
  {
    organizationId: uuid('organization_id').notNull(),
    id: uuid().notNull().defaultRandom(),
    reminderId: uuid('reminder_id').notNull(),
    email: text().notNull(),
    kind: text().$type<'hard' | 'soft'>().notNull(),
    reason: text(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    foreignKey({
      columns: [t.organizationId, t.reminderId],
      foreignColumns: [reminders.organizationId, reminders.id],
    }).onDelete('cascade'),
  ],
)
