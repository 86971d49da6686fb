import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams, page } from '../../contracts/common.ts'
import {
  customerReachCounts as reachCounts,
  auditEvent,
  customer,
  customerCreate,
  customerListQuery,
  customerPatch,
  customerWritten,
} from '../../contracts/customers.ts'
import type { Db } from '../../platform/db/client.ts'
import { notFound } from '../../platform/errors.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import { customerHistory } from '../audit/audit.service.ts'
import { scopeOf } from '../../platform/http/auth.ts'
import { customerReachCounts, listCustomers } from './customer-list.queries.ts'
import { findCustomer } from './customers.queries.ts'
import { createCustomer, deleteCustomer, updateCustomer } from './customers.service.ts'

const tags = ['Customers']

export const customerRoutes: FastifyPluginCallbackZod<{ db: Db }> = (app, { db }, done) => {
  app.get(
    '/customers',
    {
      schema: {
        tags,
        summary: 'List customers, with search, filters and a choice of order',
        description:
          '`q` searches names, customer IDs, contact emails and contact first and last names, ignoring case and accents. `sort` is `name` (the default), `externalId` or `createdAt`, with a leading `-` for descending; customers without a customer ID come last either way. `source` is `roster` or a system (`stripe`, `xero`…). Follow `nextCursor` for the next page (it belongs to its `sort`).',
        querystring: customerListQuery,
        response: { 200: page(customer), ...errorResponses },
      },
    },
    async (request) => listCustomers(db, scopeOf(request).organizationId, request.query),
  )

  app.post(
    '/customers',
    {
      schema: {
        tags,
        summary: 'Create a customer',
        body: customerCreate,
        response: { 201: customerWritten, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request)
      const { customer: created, warnings } = await db.transaction((tx) =>
        createCustomer(tx, scope, request.body),
      )
      return reply.code(201).send({ ...created, warnings })
    },
  )

  app.get(
    '/customers/reach',
    {
      schema: {
        tags,
        summary: 'How many customers no reminder can reach, and how many have a bounced contact',
        description: 'The counts of the list filters `reach=unreachable` and `reach=bounced`.',
        response: { 200: reachCounts, ...errorResponses },
      },
    },
    async (request) => customerReachCounts(db, scopeOf(request).organizationId),
  )

  app.get(
    '/customers/:id',
    {
      schema: {
        tags,
        summary: 'Get a customer',
        params: idParams,
        response: { 200: customer, ...errorResponses },
      },
    },
    async (request) => {
      const found = await findCustomer(db, scopeOf(request).organizationId, request.params.id)
      if (!found) throw notFound('Customer')
      return found
    },
  )

  app.patch(
    '/customers/:id',
    {
      schema: {
        tags,
        summary: 'Change a customer (fields left out stay as they are)',
        params: idParams,
        body: customerPatch,
        response: { 200: customerWritten, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request)
      const { customer: updated, warnings } = await db.transaction((tx) =>
        updateCustomer(tx, scope, request.params.id, request.body),
      )
      return { ...updated, warnings }
    },
  )

  app.delete(
    '/customers/:id',
    {
      schema: {
        tags,
        summary: 'Delete a customer and its contacts',
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request)
      await db.transaction((tx) => deleteCustomer(tx, scope, request.params.id))
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/customers/:id/history',
    {
      schema: {
        tags,
        summary: "A customer's audit trail, its contacts' changes included, newest first",
        params: idParams,
        response: { 200: z.object({ data: z.array(auditEvent) }), ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      const events = await customerHistory(db, organizationId, request.params.id)
      if (events.length === 0 && !(await findCustomer(db, organizationId, request.params.id))) {
        throw notFound('Customer')
      }
      return { data: events }
    },
  )

  done()
}
