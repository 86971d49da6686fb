import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams } from '../../contracts/common.ts'
import {
  contact,
  contactCreate,
  contactErased,
  contactPatch,
  contactWritten,
  personalData,
} from '../../contracts/contacts.ts'
import type { Db } from '../../platform/db/client.ts'
import { notFound } from '../../platform/errors.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import { findCustomer } from '../customers/customers.queries.ts'
import { requireRole, scopeOf } from '../../platform/http/auth.ts'
import { findContact, listContacts } from './contacts.queries.ts'
import { createContact, deleteContact, updateContact } from './contacts.service.ts'
import { eraseContact, personalDataOf } from './erasure.service.ts'

const tags = ['Contacts']

export const contactRoutes: FastifyPluginCallbackZod<{ db: Db }> = (app, { db }, done) => {
  app.get(
    '/customers/:id/contacts',
    {
      schema: {
        tags,
        summary: "A customer's contacts, main contact first",
        params: idParams,
        response: { 200: z.object({ data: z.array(contact) }), ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      if (!(await findCustomer(db, organizationId, request.params.id, { archived: true })))
        throw notFound('Customer')
      return { data: await listContacts(db, organizationId, request.params.id) }
    },
  )

  app.post(
    '/customers/:id/contacts',
    {
      schema: {
        tags,
        summary: 'Add a contact to a customer',
        description: '`isMain: true` makes it the main contact and unsets the previous one.',
        params: idParams,
        body: contactCreate,
        response: { 201: contactWritten, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request)
      const { contact: created, warnings } = await db.transaction((tx) =>
        createContact(tx, scope, request.params.id, request.body),
      )
      return reply.code(201).send({ ...created, warnings })
    },
  )

  app.get(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'Get a contact',
        params: idParams,
        response: { 200: contact, ...errorResponses },
      },
    },
    async (request) => {
      const found = await findContact(db, scopeOf(request).organizationId, request.params.id)
      if (!found) throw notFound('Contact')
      return found
    },
  )

  app.patch(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'Change a contact (fields left out stay as they are)',
        params: idParams,
        body: contactPatch,
        response: { 200: contactWritten, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request)
      const { contact: updated, warnings } = await db.transaction((tx) =>
        updateContact(tx, scope, request.params.id, request.body),
      )
      return { ...updated, warnings }
    },
  )

  app.delete(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'Delete a contact',
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request)
      await db.transaction((tx) => deleteContact(tx, scope, request.params.id))
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/contacts/:id/erase',
    {
      schema: {
        tags,
        summary: "Erase a contact's personal data (GDPR; admins)",
        description:
          "Removes the person's name, email, phone, job title and source id from the contact (kept, archived, as an erased contact so the history still counts it), from every history entry and reminder that held them, and from every import: its lines about them are cleared and its uploaded file, which held them, is deleted (`fileErasedAt` on the import). The erasure is recorded in the history without the data. An archived contact can be erased, and so can a deleted one by its id (its history entries still hold it); one already erased is a 409, an id the organisation never had a 404. A contact from a connected system comes back with its next sync unless it is erased there too (see `warnings`).",
        params: idParams,
        response: { 200: contactErased, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return db.transaction((tx) => eraseContact(tx, scope, request.params.id))
    },
  )

  app.get(
    '/contacts/:id/personal-data',
    {
      schema: {
        tags,
        summary: 'Everything Roster holds about a contact, as one JSON document (GDPR; admins)',
        description:
          'The contact (archived or erased too), its history entries and those naming its email (reminders sent to it), and the lines of uploaded files that mention its email, cell by cell.',
        params: idParams,
        response: { 200: personalData, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      const data = await personalDataOf(db, scope.organizationId, request.params.id)
      return reply
        .header('content-disposition', `attachment; filename="contact-${request.params.id}.json"`)
        .send(data)
    },
  )
  done()
}
