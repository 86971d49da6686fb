import { z } from 'zod'
import { emailField } from './common.ts'

export const memberRoles = ['admin', 'account_manager', 'member'] as const
export type MemberRole = (typeof memberRoles)[number]

export const memberCreate = z.strictObject({
  email: emailField,
  name: z.string().trim().max(200).optional(),
  role: z.enum(memberRoles).default('member'),
  password: z.string().min(8, 'Use at least 8 characters for the password.').max(200).optional(),
})
export type MemberCreate = z.infer<typeof memberCreate>

export const member = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(memberRoles),
  createdAt: z.iso.datetime(),
})
export type Member = z.infer<typeof member>

export const sessionCreate = z.strictObject({
  email: emailField,
  password: z.string().min(1).max(200),
  organization: z.string().trim().min(1).optional(),
})

export const session = z.object({
  organization: z.object({ id: z.uuid(), name: z.string(), slug: z.string() }),
  member: member.nullable(),
})

export const apiKeyCreate = z.strictObject({
  name: z.string().trim().min(1).max(200).default('API key'),
})
export const apiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
})
export const apiKeyCreated = apiKey.extend({ key: z.string() })

const newPassword = z
  .string()
  .min(8, 'Use at least 8 characters for the password.')
  .max(200, 'Use at most 200 characters for the password.')
const linkToken = z
  .string()
  .trim()
  .min(1, 'The link has no token: open the link from the email.')
  .max(200)

export const memberPatch = z.strictObject({
  role: z.enum(memberRoles, { error: `Role must be one of ${memberRoles.join(', ')}.` }),
})

/** A customer a member manages, to reassign before or after removing them. */
export const managedCustomer = z.object({
  id: z.uuid(),
  name: z.string(),
  externalId: z.string().nullable(),
})
export const managedCustomers = z.object({ data: z.array(managedCustomer) })

export const memberRemoved = z.object({
  member,
  /** The customers that had them as account manager, which they no longer have. */
  customers: z.array(managedCustomer),
  sessionsEnded: z.number().int(),
  apiKeysRevoked: z.number().int(),
})

export const invitationCreate = z.strictObject({
  email: emailField,
  role: z
    .enum(memberRoles, { error: `Role must be one of ${memberRoles.join(', ')}.` })
    .default('member'),
})
export type InvitationCreate = z.infer<typeof invitationCreate>

export const invitation = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(memberRoles),
  invitedBy: z.string(),
  /** When the email was last sent; null while it is being sent. */
  sentAt: z.iso.datetime().nullable(),
  /** When its link stops working; null while it is being sent. */
  expiresAt: z.iso.datetime().nullable(),
  expired: z.boolean(),
  createdAt: z.iso.datetime(),
})
export type Invitation = z.infer<typeof invitation>

/** What the invitation link shows before the invitee sets a password. */
export const invitationLookup = z.strictObject({ token: linkToken })
export const invitationPreview = z.object({
  email: z.string(),
  role: z.enum(memberRoles),
  organization: z.object({ name: z.string() }),
})
export const invitationAccept = z.strictObject({
  token: linkToken,
  name: z.string().trim().min(1, 'Enter your name.').max(200),
  password: newPassword,
})

export const passwordResetRequest = z.strictObject({ email: emailField })
export const passwordResetRequested = z.object({ message: z.string() })
export const passwordResetComplete = z.strictObject({ token: linkToken, password: newPassword })

export const signupSettings = z.object({ open: z.boolean() })
export const signupCreate = z.strictObject({
  organization: z.string().trim().min(1, 'Enter the name of your organisation.').max(200),
  name: z.string().trim().min(1, 'Enter your name.').max(200),
  email: emailField,
  password: newPassword,
})

/** The organisations the signed-in person (their email) is a member of. */
export const sessionOrganization = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  current: z.boolean(),
})
export const sessionOrganizations = z.object({ data: z.array(sessionOrganization) })
export const sessionSwitch = z.strictObject({
  organization: z.string().trim().min(1, 'Name the organisation (its id or slug).'),
})
