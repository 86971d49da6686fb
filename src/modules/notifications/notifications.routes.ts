import type { FastifyRequest } from 'fastify'
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams } from '../../contracts/common.ts'
import {
  notification,
  notificationList,
  notificationListQuery,
  profile,
  profilePatch,
} from '../../contracts/notifications.ts'
import type { Db } from '../../platform/db/client.ts'
import { AppError } from '../../platform/errors.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import { scopeOf } from '../organizations/auth.ts'
import {
  getProfile,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  updateProfile,
} from './notifications.service.ts'

/** The signed-in member; an API key acts for the organisation and has no notifications or profile. */
function signedInMember(request: FastifyRequest): { organizationId: string; memberId: string } {
  const { organizationId, actor } = scopeOf(request)
  if (actor.kind !== 'member' || !actor.id) {
    throw new AppError(
      'forbidden',
      'Notifications and profiles belong to a member, and an API key is not one: sign in as the member instead.',
    )
  }
  return { organizationId, memberId: actor.id }
}

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

  app.get(
    '/profile',
    {
      schema: {
        tags: ['Profile'],
        summary: "The signed-in member's profile and notification preferences",
        response: { 200: profile, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId, memberId } = signedInMember(request)
      return getProfile(db, organizationId, memberId)
    },
  )

  app.patch(
    '/profile',
    {
      schema: {
        tags: ['Profile'],
        summary: "Change the signed-in member's name or notification preferences",
        description:
          'Fields left out stay as they are. Slack needs an incoming-webhook URL (https://hooks.slack.com/services/…).',
        body: profilePatch,
        response: { 200: profile, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId, memberId } = signedInMember(request)
      return db.transaction((tx) => updateProfile(tx, organizationId, memberId, request.body))
    },
  )
  done()
}
