import { and, desc, eq } from 'drizzle-orm'
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams } from '../../contracts/common.ts'
import {
  bounceReport,
  bounceResult,
  draftQuery,
  reminder,
  reminderCreate,
  reminderDraft,
} from '../../contracts/reminders.ts'
import type { Db } from '../../platform/db/client.ts'
import { reminders } from '../../platform/db/schema/index.ts'
import { notFound } from '../../platform/errors.ts'
import { requireRole, scopeOf } from '../../platform/http/auth.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { findCustomer } from '../customers/customers.queries.ts'
import { recordBounce } from './bounces.service.ts'
import { findReminder, toReminder } from './reminders.queries.ts'
import { createReminder, reminderDraft as draftOf, setDoNotRemind } from './reminders.service.ts'

const tags = ['Reminders']

export const reminderRoutes: FastifyPluginCallbackZod<{
  db: Db
  queue: Queue
  publicUrl: string
}> = (app, { db, queue, publicUrl }, done) => {
  const mailDomain = new URL(publicUrl).hostname

  app.get(
    '/customers/:id/reminders/draft',
    {
      schema: {
        tags,
        summary: 'What a reminder of a step would be for this customer',
        description:
          'The resolved To and Cc (each with why it was chosen), the rendered subject and body, and warnings such as a role that fell back to the main contact.',
        params: idParams,
        querystring: draftQuery,
        response: { 200: reminderDraft, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request)
      return db.transaction((tx) => draftOf(tx, scope, request.params.id, request.query.step))
    },
  )

  app.post(
    '/customers/:id/reminders',
    {
      schema: {
        tags,
        summary: 'Send a reminder of a step to this customer',
        description:
          'Without `to`/`cc`, the step’s resolved recipients. `newContacts` are saved as the customer’s contacts (refused when a source owns them: give their address in `to` instead). The email is sent by a job: the status goes from `queued` to `sent` or `failed`.',
        params: idParams,
        body: reminderCreate,
        response: { 201: reminder, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request)
      const created = await db.transaction((tx) =>
        createReminder(tx, queue, scope, request.params.id, request.body, mailDomain),
      )
      return reply.code(201).send(created)
    },
  )

  app.get(
    '/customers/:id/reminders',
    {
      schema: {
        tags,
        summary: 'The reminders of a customer, newest first',
        params: idParams,
        response: { 200: z.object({ data: z.array(reminder) }), ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      if (!(await findCustomer(db, organizationId, request.params.id, { archived: true })))
        throw notFound('Customer')
      const rows = await db
        .select()
        .from(reminders)
        .where(
          and(
            eq(reminders.organizationId, organizationId),
            eq(reminders.customerId, request.params.id),
          ),
        )
        .orderBy(desc(reminders.createdAt))
        .limit(100)
      return { data: rows.map(toReminder) }
    },
  )

  app.get(
    '/reminders/:id',
    {
      schema: {
        tags,
        summary: 'A reminder and its status',
        params: idParams,
        response: { 200: reminder, ...errorResponses },
      },
    },
    async (request) => {
      const found = await findReminder(db, scopeOf(request).organizationId, request.params.id)
      if (!found) throw notFound('Reminder')
      return found
    },
  )

  app.post(
    '/reminders/bounces',
    {
      schema: {
        tags,
        summary: 'Report a bounce of a reminder (mail providers, admins)',
        description:
          'Find the reminder by its `messageId` or the `verp` address the bounce came back to. A `hard` bounce marks the customer’s contacts with that email as bounced.',
        body: bounceReport,
        response: { 200: bounceResult, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return db.transaction((tx) =>
        recordBounce(tx, scope.organizationId, request.body, scope.actor),
      )
    },
  )

  app.put(
    '/contacts/:id/do-not-remind',
    {
      schema: {
        tags,
        summary: 'Stop or resume sending reminders to a contact',
        params: idParams,
        body: z.strictObject({ doNotRemind: z.boolean() }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request)
      await db.transaction((tx) =>
        setDoNotRemind(tx, scope, request.params.id, request.body.doNotRemind),
      )
      return reply.code(204).send(null)
    },
  )
  done()
}
