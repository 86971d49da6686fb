import {
  notification,
  notificationList,
  profile,
  type Notification,
  type NotificationList,
  type Profile,
  type ProfilePatch,
} from '@contracts/notifications.ts'
import { z } from 'zod'
import { api } from '../../../platform/api.ts'

export type { Notification, NotificationList, Profile, ProfilePatch }

export const fetchNotifications = (): Promise<NotificationList> =>
  api('/notifications', { query: { limit: 20 }, schema: notificationList })

export const markRead = (id: string): Promise<Notification> =>
  api(`/notifications/${id}/read`, { method: 'POST', schema: notification })

export const markAllRead = (): Promise<{ marked: number }> =>
  api('/notifications/read-all', {
    method: 'POST',
    schema: z.object({ marked: z.number() }),
  })

export const fetchProfile = (): Promise<Profile> => api('/profile', { schema: profile })

export const updateProfile = (patch: ProfilePatch): Promise<Profile> =>
  api('/profile', { method: 'PATCH', body: patch, schema: profile })
