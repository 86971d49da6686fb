import { page } from '@contracts/common.ts'
import {
  apiKey,
  apiKeyCreated,
  invitation,
  managedCustomers,
  member,
  memberRemoved,
  type Invitation,
  type InvitationCreate,
  type Member,
  type MemberRole,
} from '@contracts/organizations.ts'
import {
  workflow,
  workflowDeleted,
  type Workflow,
  type WorkflowPatch,
} from '@contracts/workflows.ts'
import { z } from 'zod'
import { api } from '../../../platform/api.ts'

export type { Invitation, Member, Workflow }
export type ApiKey = z.infer<typeof apiKey>
export type ApiKeyCreated = z.infer<typeof apiKeyCreated>

const list = <T extends z.ZodType>(item: T) => page(item).pick({ data: true })

export const fetchMembers = async (): Promise<Member[]> =>
  (await api('/members', { schema: list(member) })).data

export const fetchWorkflows = async (): Promise<Workflow[]> =>
  (await api('/workflows', { schema: list(workflow) })).data

export const addWorkflow = (name: string): Promise<Workflow> =>
  api('/workflows', { method: 'POST', body: { name }, schema: workflow })

export const updateWorkflow = (id: string, patch: WorkflowPatch): Promise<Workflow> =>
  api(`/workflows/${id}`, { method: 'PATCH', body: patch, schema: workflow })

export const deleteWorkflow = (id: string) =>
  api(`/workflows/${id}`, { method: 'DELETE', schema: workflowDeleted })

export const fetchApiKeys = async (): Promise<ApiKey[]> =>
  (await api('/api-keys', { schema: list(apiKey) })).data

export const createApiKey = (name: string): Promise<ApiKeyCreated> =>
  api('/api-keys', { method: 'POST', body: { name }, schema: apiKeyCreated })

export const revokeApiKey = async (id: string): Promise<void> => {
  await api(`/api-keys/${id}`, { method: 'DELETE' })
}

export const fetchInvitations = async (): Promise<Invitation[]> =>
  (await api('/invitations', { schema: list(invitation) })).data

export const inviteMember = (input: InvitationCreate): Promise<Invitation> =>
  api('/invitations', { method: 'POST', body: input, schema: invitation })

export const resendInvitation = (id: string): Promise<Invitation> =>
  api(`/invitations/${id}/resend`, { method: 'POST', body: {}, schema: invitation })

export const revokeInvitation = async (id: string): Promise<void> => {
  await api(`/invitations/${id}`, { method: 'DELETE' })
}

export const changeRole = (id: string, role: MemberRole): Promise<Member> =>
  api(`/members/${id}`, { method: 'PATCH', body: { role }, schema: member })

export const fetchManagedCustomers = async (id: string) =>
  (await api(`/members/${id}/customers`, { schema: managedCustomers })).data

export const removeMember = (id: string) =>
  api(`/members/${id}`, { method: 'DELETE', schema: memberRemoved })
