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
