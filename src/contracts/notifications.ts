import { z } from 'zod'
import { optionalText, pageQuery } from './common.ts'
import { memberRoles } from './organizations.ts'

/** What a member can be notified of; `slack_disabled` tells them Slack refused their webhook. */
export const notificationKinds = [
  'import_completed',
  'import_failed',
  'connection_needs_reconnection',
  'slack_disabled',
  'webhook_endpoint_disabled',
] as const
export type NotificationKind = (typeof notificationKinds)[number]

export const notification = z.object({
  id: z.uuid(),
  kind: z.enum(notificationKinds),
  title: z.string(),
  body: z.string(),
  /** What the notification is about, e.g. `{ "importId": "…" }`, to link to it. */
  subject: z.record(z.string(), z.string()).nullable(),
  createdAt: z.iso.datetime(),
  readAt: z.iso.datetime().nullable(),
})
export type Notification = z.infer<typeof notification>

export const notificationListQuery = z.strictObject({
  unread: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  ...pageQuery,
})
export type NotificationListQuery = z.infer<typeof notificationListQuery>

export const notificationList = z.object({
  data: z.array(notification),
  /** Unread notifications of the member, whatever the filter and page. */
  unread: z.number().int(),
  nextCursor: z.string().nullable(),
})
export type NotificationList = z.infer<typeof notificationList>

export const profile = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(memberRoles),
  notifications: z.object({
    inApp: z.boolean(),
    email: z.boolean(),
    slack: z.boolean(),
    slackWebhookUrl: z.string().nullable(),
  }),
})
export type Profile = z.infer<typeof profile>

/** Where Slack's incoming webhooks live; Roster posts nowhere else. */
export const slackWebhookOrigin = 'https://hooks.slack.com'

// Only Slack's own webhook host: the server posts to this URL, so any other address would let
// a member make it call an internal one.
export function isSlackWebhookUrl(value: string): boolean {
  if (!URL.canParse(value)) return false
  const url = new URL(value)
  return (
    url.origin === slackWebhookOrigin &&
    url.username === '' &&
    url.password === '' &&
    url.pathname.length > 1
  )
}

const slackWebhookUrl = z
  .string()
  .trim()
  .max(2000)
  .transform((value, ctx) => {
    if (value === '') return null
    if (!isSlackWebhookUrl(value)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'Use the https:// webhook URL Slack gives you, like https://hooks.slack.com/services/….',
      })
      return z.NEVER
    }
    return value
  })

export const slackNeedsWebhook = 'Add a Slack webhook URL to get notifications on Slack.'

export const profilePatch = z.strictObject({
  name: optionalText(200),
  notifications: z
    .strictObject({
      inApp: z.boolean().optional(),
      email: z.boolean().optional(),
      slack: z.boolean().optional(),
      slackWebhookUrl: slackWebhookUrl.nullable().optional(),
    })
    .superRefine((value, ctx) => {
      if (value.slack === true && value.slackWebhookUrl === null) {
        ctx.addIssue({ code: 'custom', path: ['slackWebhookUrl'], message: slackNeedsWebhook })
      }
    })
    .optional(),
})
export type ProfilePatch = z.infer<typeof profilePatch>
