import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { contactSource, contactSourcePut, disconnectConfirm } from '../../contracts/sources.ts'
import type { Db } from '../../platform/db/client.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import { requireRole, scopeOf } from '../../platform/http/auth.ts'
import { disconnectContacts, getContactSource, setContactSource } from './contact-source.service.ts'

const tags = ['Organisation']

export const contactSourceRoutes: FastifyPluginCallbackZod<{ db: Db; queue: Queue }> = (
  app,
  { db, queue },
  done,
) => {
  app.get(
    '/organization/contact-source',
    {
      schema: {
        tags,
        summary: 'Where contacts come from: a connection, or Roster',
        response: { 200: contactSource, ...errorResponses },
      },
    },
    async (request) => getContactSource(db, scopeOf(request).organizationId),
  )

  app.put(
    '/organization/contact-source',
    {
      schema: {
        tags,
        summary: 'Sync contacts from a connection (admins)',
        description:
          '`{"connectionId"}` makes that connection the contact source and queues a full run of it at once (unless it is paused or needs reconnecting); refused (409) once contacts were disconnected. `{"source":"roster"}` is accepted only when Roster already is the contact source: leaving a connection is the irreversible disconnect, `POST /organization/contact-source/disconnect`.',
        body: contactSourcePut,
        response: { 200: contactSource, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return db.transaction((tx) => setContactSource(tx, queue, scope, request.body))
    },
  )

  app.post(
    '/organization/contact-source/disconnect',
    {
      schema: {
        tags,
        summary: 'Disconnect contacts from the invoicing system, for good (admins)',
        description:
          'Requires `{"confirm":"DISCONNECT"}`. Roster becomes the contact source: existing contacts stay and become editable, later syncs keep updating customers but never contacts, and switching back is refused. Recorded in the audit trail. Cannot be undone.',
        body: disconnectConfirm,
        response: { 200: contactSource, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return db.transaction((tx) => disconnectContacts(tx, scope))
    },
  )
  done()
}
