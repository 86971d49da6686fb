import { PassThrough, Readable } from 'node:stream'
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams, page } from '../../contracts/common.ts'
import {
  customerReachCounts as reachCounts,
  auditEvent,
  customer,
  customerCreate,
  customerListQuery,
  customerBulkAction,
  customerBulkResult,
  customerCount,
  customerCountQuery,
  customerPatch,
  customerWritten,
} from '../../contracts/customers.ts'
import { customerExportQuery, EXPORT_LINES_HEADER } from '../../contracts/export.ts'
import type { Db, DbOrTx } from '../../platform/db/client.ts'
import { notFound } from '../../platform/errors.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import { customerHistory } from '../audit/audit.service.ts'
import { scopeOf } from '../../platform/http/auth.ts'
import {
  countCustomers,
  countExportLines,
  customerReachCounts,
  listCustomers,
} from './customer-list.queries.ts'
import { customersCsv, writeCustomersXlsx } from './export.ts'
import { findCustomer } from './customers.queries.ts'
import {
  archiveCustomers,
  assignCustomers,
  createCustomer,
  customersMatching,
  deleteCustomer,
  restoreCustomers,
  updateCustomer,
} from './customers.service.ts'

const tags = ['Customers']

async function findOrFail(db: DbOrTx, organizationId: string, id: string) {
  const found = await findCustomer(db, organizationId, id, { archived: true })
  if (!found) throw notFound('Customer')
  return found
}

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

  app.get(
    '/customers/count',
    {
      schema: {
        tags,
        summary: 'Count the customers a search and filters find',
        description:
          'The same search and filters as `GET /customers`: how many customers the whole list holds, for "select all matching" before a bulk action with `filter`.',
        querystring: customerCountQuery,
        response: { 200: customerCount, ...errorResponses },
      },
    },
    async (request) => ({
      customers: await countCustomers(db, scopeOf(request).organizationId, {
        ...request.query,
        sort: 'name',
      }),
    }),
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
    '/customers/export',
    {
      schema: {
        tags,
        summary: 'Export the customers of the list’s filters as CSV or .xlsx, one line per contact',
        description:
          'The same search and filters as the list (an export of nothing is the header alone), streamed: `format` is `csv` (the default) or `xlsx`; a CSV takes `separator` (`comma`, `semicolon`, `tab`) and `encoding` (`utf-8-bom`, `utf-8`, `windows-1252`). Cells that a spreadsheet would run as a formula (starting with = + - @) get a leading apostrophe, which the import takes off again. The `Roster-Export-Lines` header gives the number of lines to come.',
        querystring: customerExportQuery,
        produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: {
          200: z.string().describe('The file, CSV or .xlsx, streamed.'),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { organizationId } = scopeOf(request)
      const { format, separator, encoding, ...filters } = request.query
      const lines = await countExportLines(db, organizationId, filters)
      const day = new Date().toISOString().slice(0, 10)
      void reply
        .header(EXPORT_LINES_HEADER, String(lines))
        .header('content-disposition', `attachment; filename="customers-${day}.${format}"`)
      if (format === 'xlsx') {
        const out = new PassThrough()
        writeCustomersXlsx(db, organizationId, filters, out).catch((error: unknown) => {
          request.log.error({ err: error }, 'the xlsx export failed')
          out.destroy(error instanceof Error ? error : new Error(String(error)))
        })
        return reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .send(out as unknown as string)
      }
      const charset = encoding === 'windows-1252' ? 'windows-1252' : 'utf-8'
      return reply
        .type(`text/csv; charset=${charset}`)
        .send(
          Readable.from(
            customersCsv(db, organizationId, filters, { separator, encoding }),
          ) as unknown as string,
        )
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
      const found = await findCustomer(db, scopeOf(request).organizationId, request.params.id, {
        archived: true,
      })
      if (!found) throw notFound('Customer')
      return found
    },
  )

  app.post(
    '/customers/bulk',
    {
      schema: {
        tags,
        summary: 'Assign account managers or a workflow to selected customers, or archive them',
        description:
          "One transaction: every selected customer changes, or none (the error names the ones refused). The customers are `ids` (at most 1,000), or with `filter` every customer the list shows with that search and those filters (at most 5,000; see `GET /customers/count`). `assign` replaces the account managers and/or sets the workflow (`null` removes it); `archive` and `restore` as for one customer. Each change is in the customer's history. `updated` counts the customers that changed.",
        body: customerBulkAction,
        response: { 200: customerBulkResult, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request)
      const body = request.body
      const updated = await db.transaction(async (tx) => {
        // The ticked customers, or every one the list's search and filters find now.
        const ids = body.ids ?? (await customersMatching(tx, scope, body.filter ?? {}))
        switch (body.action) {
          case 'assign':
            return assignCustomers(tx, scope, ids, {
              ...(body.accountManagers !== undefined
                ? { accountManagers: body.accountManagers }
                : {}),
              ...(body.workflow !== undefined ? { workflow: body.workflow } : {}),
            })
          case 'archive':
            return archiveCustomers(tx, scope, ids)
          case 'restore':
            return restoreCustomers(tx, scope, ids)
        }
      })
      return { updated }
    },
  )

  app.post(
    '/customers/:id/archive',
    {
      schema: {
        tags,
        summary: 'Archive a customer',
        description:
          'An archived customer leaves the list, the search and the export, and receives no reminder (a queued one is not sent); its contacts and history stay, and `restore` brings it back. A customer synced from a source is archived there: Roster refuses (409) and archives it when the sync sees it deleted.',
        params: idParams,
        response: { 200: customer, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request)
      return db.transaction(async (tx) => {
        await archiveCustomers(tx, scope, [request.params.id])
        return findOrFail(tx, scope.organizationId, request.params.id)
      })
    },
  )

  app.post(
    '/customers/:id/restore',
    {
      schema: {
        tags,
        summary: 'Restore an archived customer',
        params: idParams,
        response: { 200: customer, ...errorResponses },
      },
    },
    async (request) => {
      const scope = scopeOf(request)
      return db.transaction(async (tx) => {
        await restoreCustomers(tx, scope, [request.params.id])
        return findOrFail(tx, scope.organizationId, request.params.id)
      })
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
        description:
          'Refused (409, naming them) when something depends on the customer: reminders were sent to it. Archive it instead. Its subsidiaries stay, outside any group.',
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
      if (
        events.length === 0 &&
        !(await findCustomer(db, organizationId, request.params.id, { archived: true }))
      ) {
        throw notFound('Customer')
      }
      return { data: events }
    },
  )

  done()
}
