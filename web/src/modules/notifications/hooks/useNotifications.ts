import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { notifySaved } from '../../../platform/notify.ts'
import {
  fetchNotifications,
  fetchProfile,
  markAllRead,
  markRead,
  updateProfile,
} from '../api/notifications.ts'

const notificationsKey = ['notifications'] as const
const profileKey = ['profile'] as const

/** The member's latest notifications and unread count, checked every half minute. */
export const useNotifications = (enabled: boolean) =>
  useQuery({
    queryKey: notificationsKey,
    queryFn: fetchNotifications,
    refetchInterval: 30_000,
    enabled,
  })

export function useMarkRead() {
  const client = useQueryClient()
  const refresh = () => client.invalidateQueries({ queryKey: notificationsKey })
  return {
    one: useMutation({ mutationFn: markRead, onSuccess: refresh }),
    all: useMutation({ mutationFn: markAllRead, onSuccess: refresh }),
  }
}

export const useProfile = () => useQuery({ queryKey: profileKey, queryFn: fetchProfile })

export function useUpdateProfile() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: updateProfile,
    meta: { ownErrors: true },
    onSuccess: (saved) => {
      client.setQueryData(profileKey, saved)
      notifySaved('Profile saved.')
      return client.invalidateQueries({ queryKey: ['session'] })
    },
  })
}
