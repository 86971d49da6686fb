import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams } from '../../contracts/common.ts'
import {
  notification,
  notificationList,
  notificationListQuery,
} from '../../contracts/notifications.ts'
import type { Db } from '../../platform/db/client.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import { signedInMember } from '../../platform/http/auth.ts'
import {
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
} from './notifications.service.ts'

export const notificationRoutes: FastifyPluginCallbackZod<{ db: Db }> = (app, { db }, done) => {
  app.get(
    '/notifications',
    {
      schema: {
        tags: ['Notifications'],
        summary: "The signed-in member's notifications, newest first, and the unread count",
        description:
          '`unread=true` lists only unread ones. Follow `nextCursor` for the next page. API keys are refused: notifications belong to a member.',
        querystring: notificationListQuery,
        response: { 200: notificationList, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId, memberId } = signedInMember(request)
      return listNotifications(db, organizationId, memberId, request.query)
    },
  )

  app.post(
    '/notifications/:id/read',
    {
      schema: {
        tags: ['Notifications'],
        summary: 'Mark a notification read',
        params: idParams,
        response: { 200: notification, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId, memberId } = signedInMember(request)
      return markNotificationRead(db, organizationId, memberId, request.params.id)
    },
  )

  app.post(
    '/notifications/read-all',
    {
      schema: {
        tags: ['Notifications'],
        summary: "Mark all the signed-in member's notifications read",
        response: { 200: z.object({ marked: z.number().int() }), ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId, memberId } = signedInMember(request)
      return { marked: await markAllNotificationsRead(db, organizationId, memberId) }
    },
  )

  done()
}
