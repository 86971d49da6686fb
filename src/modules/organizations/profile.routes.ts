import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { profile, profilePatch } from '../../contracts/notifications.ts'
import type { Db } from '../../platform/db/client.ts'
import { signedInMember } from '../../platform/http/auth.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import { getProfile, updateProfile } from './profile.service.ts'

export const profileRoutes: FastifyPluginCallbackZod<{ db: Db }> = (app, { db }, done) => {
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
