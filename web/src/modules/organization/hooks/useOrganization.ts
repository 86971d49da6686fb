import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { MemberRole } from '@contracts/organizations.ts'
import {
  addWorkflow,
  changeRole,
  fetchInvitations,
  fetchManagedCustomers,
  inviteMember,
  removeMember,
  resendInvitation,
  revokeInvitation,
  createApiKey,
  deleteWorkflow,
  fetchApiKeys,
  fetchMembers,
  fetchWorkflows,
  revokeApiKey,
  updateWorkflow,
} from '../api/organization.ts'
import type { WorkflowPatch } from '@contracts/workflows.ts'

export const membersKey = ['members'] as const
export const workflowsKey = ['workflows'] as const
export const apiKeysKey = ['api-keys'] as const
export const invitationsKey = ['invitations'] as const

export const useMembers = () => useQuery({ queryKey: membersKey, queryFn: fetchMembers })
export const useWorkflows = () => useQuery({ queryKey: workflowsKey, queryFn: fetchWorkflows })
export const useApiKeys = (enabled = true) =>
  useQuery({ queryKey: apiKeysKey, queryFn: fetchApiKeys, enabled })

/** Members with the account-manager role: the ones a customer can be assigned to. */
export function useAccountManagers() {
  const members = useMembers()
  return {
    ...members,
    data: members.data?.filter((member) => member.role === 'account_manager'),
  }
}

export function useAddWorkflow() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: addWorkflow,
    meta: { ownErrors: true },
    onSuccess: () => client.invalidateQueries({ queryKey: workflowsKey }),
  })
}

export function useWorkflowWrites() {
  const client = useQueryClient()
  const refresh = () => client.invalidateQueries({ queryKey: workflowsKey })
  const update = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: WorkflowPatch }) => updateWorkflow(id, patch),
    meta: { ownErrors: true },
    onSuccess: refresh,
  })
  const remove = useMutation({ mutationFn: deleteWorkflow, onSuccess: refresh })
  return { update, remove }
}

export function useCreateApiKey() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: createApiKey,
    meta: { ownErrors: true },
    onSuccess: () => client.invalidateQueries({ queryKey: apiKeysKey }),
  })
}

export function useRevokeApiKey() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: revokeApiKey,
    onSuccess: () => client.invalidateQueries({ queryKey: apiKeysKey }),
  })
}

export const useInvitations = (enabled = true) =>
  useQuery({ queryKey: invitationsKey, queryFn: fetchInvitations, enabled })

export function useInvite() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: inviteMember,
    meta: { ownErrors: true },
    onSuccess: () => client.invalidateQueries({ queryKey: invitationsKey }),
  })
}

export function useInvitationWrites() {
  const client = useQueryClient()
  const refresh = () => client.invalidateQueries({ queryKey: invitationsKey })
  const resend = useMutation({ mutationFn: resendInvitation, onSuccess: refresh })
  const revoke = useMutation({ mutationFn: revokeInvitation, onSuccess: refresh })
  return { resend, revoke }
}

export function useChangeRole() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, role }: { id: string; role: MemberRole }) => changeRole(id, role),
    onSuccess: () => client.invalidateQueries({ queryKey: membersKey }),
  })
}

export const useManagedCustomers = (id: string | null) =>
  useQuery({
    queryKey: ['members', id, 'customers'],
    queryFn: () => fetchManagedCustomers(id ?? ''),
    enabled: id !== null,
  })

export function useRemoveMember() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: removeMember,
    meta: { ownErrors: true },
    onSuccess: () => client.invalidateQueries({ queryKey: membersKey }),
  })
}
