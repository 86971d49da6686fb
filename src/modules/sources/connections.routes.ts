import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams, page } from '../../contracts/common.ts'
import {
  connection,
  connectionCreate,
  connectionPatch,
  connectorDescriptor,
  runListQuery,
  accountMatches,
  matchConfirm,
  syncRequest,
  syncRun,
} from '../../contracts/sources.ts'
import type { Vault } from '../../platform/auth/encryption.ts'
import type { Db } from '../../platform/db/client.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { requireRole, scopeOf } from '../../platform/http/auth.ts'
import { descriptorsOf, type Connectors } from './connectors/index.ts'
import { findConnectionRow, getConnection, listConnections } from './connections.queries.ts'
import {
  deleteConnection,
  insertConnection,
  prepareConnection,
  prepareReconnection,
  updateConnection,
} from './connections.service.ts'
import { accountMatches as readMatches, confirmMatch } from './matches.service.ts'
import { listRuns, requestRun, toSyncRun } from './sync/runs.service.ts'

const tags = ['Connections']

export interface ConnectionRoutesDeps {
  db: Db
  queue: Queue
  vault: Vault
  publicUrl: string
  connectors: Connectors
  /** Whether an admin may give a base URL (ROSTER_ALLOW_BASE_URL). */
  allowBaseUrl: boolean
}

export const connectionRoutes: FastifyPluginCallbackZod<ConnectionRoutesDeps> = (
  app,
  { db, queue, vault, publicUrl, connectors, allowBaseUrl },
  done,
) => {
  app.get(
    '/connectors',
    {
      schema: {
        tags,
        summary: 'The systems Roster can connect to: their settings, secrets and contact rule',
        response: { 200: z.object({ data: z.array(connectorDescriptor) }), ...errorResponses },
      },
    },
    () => ({ data: descriptorsOf(connectors) }),
  )

  app.get(
    '/connections',
    {
      schema: {
        tags,
        summary: 'The connected systems, with their status, last run and next sync',
        response: { 200: z.object({ data: z.array(connection) }), ...errorResponses },
      },
    },
    async (request) => ({
      data: await listConnections(db, scopeOf(request).organizationId, publicUrl),
    }),
  )

  app.post(
    '/connections',
    {
      schema: {
        tags,
        summary: 'Connect a system (admins); its first full sync is queued',
        description:
          '`settings` and `secrets` are those of the system, e.g. Stripe `{"secrets":{"apiKey":"sk_…"}}`, Chargebee `{"settings":{"site":"acme"},"secrets":{"apiKey":"…"}}`. The credentials are checked with the system before anything is saved, stored encrypted and never returned.',
        body: connectionCreate,
        response: { 201: connection, ...errorResponses, 502: errorResponses[409] },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      const prepared = await prepareConnection(
        { vault, connectors },
        scope.organizationId,
        request.body,
        { allowBaseUrl },
      )
      const row = await db.transaction((tx) => insertConnection(tx, queue, scope, prepared))
      return reply.code(201).send(await getConnection(db, scope.organizationId, row.id, publicUrl))
    },
  )

  app.get(
    '/connections/:id',
    {
      schema: {
        tags,
        summary: 'A connection',
        params: idParams,
        response: { 200: connection, ...errorResponses },
      },
    },
    async (request) =>
      getConnection(db, scopeOf(request).organizationId, request.params.id, publicUrl),
  )

  app.patch(
    '/connections/:id',
    {
      schema: {
        tags,
        summary:
          'Rename, pause or resume a connection, or reconnect it with new credentials (admins)',
        description:
          '`{"paused":true}` pauses syncing, `{"paused":false}` resumes it. New `secrets` (and `settings`) are checked with the system, then replace the stored ones (secrets left out stay) and end a "needs reconnection" status.',
        params: idParams,
        body: connectionPatch,
        response: { 200: connection, ...errorResponses, 502: errorResponses[409] },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      const row = await findConnectionRow(db, scope.organizationId, request.params.id)
      const reconnection = await prepareReconnection({ vault, connectors }, row, request.body, {
        allowBaseUrl,
      })
      await db.transaction((tx) =>
        updateConnection(tx, scope, request.params.id, request.body, reconnection),
      )
      return getConnection(db, scope.organizationId, request.params.id, publicUrl)
    },
  )

  app.delete(
    '/connections/:id',
    {
      schema: {
        tags,
        summary: 'Remove a connection and its run history (admins)',
        description:
          'The customers and contacts it brought stay, and become Roster-owned (editable). If it was the contact source, Roster becomes the contact source.',
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      await db.transaction((tx) => deleteConnection(tx, scope, request.params.id))
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/connections/:id/sync',
    {
      schema: {
        tags,
        summary: 'Sync now (admins): queues an incremental run, or a full one with {"full":true}',
        description:
          'Answers the queued run; a run already waiting is answered instead (made full if asked).',
        params: idParams,
        body: syncRequest.nullish(),
        response: { 202: syncRun, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      const run = await db.transaction((tx) =>
        requestRun(tx, queue, {
          organizationId: scope.organizationId,
          connectionId: request.params.id,
          full: request.body?.full ?? false,
          trigger: 'manual',
        }),
      )
      return reply.code(202).send(toSyncRun(run))
    },
  )

  app.get(
    '/connections/:id/runs',
    {
      schema: {
        tags,
        summary: "A connection's runs, newest first, with their counts and errors",
        params: idParams,
        querystring: runListQuery,
        response: { 200: page(syncRun), ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      await findConnectionRow(db, organizationId, request.params.id)
      return listRuns(db, organizationId, request.params.id, request.query)
    },
  )

  app.get(
    '/connections/:id/matches',
    {
      schema: {
        tags,
        summary: "How a contact source's accounts match customers (Salesforce)",
        description:
          'Matched customers (by identifier, or confirmed by an admin), ambiguous identifiers (not imported), and unmatched customers with the accounts of the same name as suggestions.',
        params: idParams,
        response: { 200: accountMatches, ...errorResponses },
      },
    },
    async (request) =>
      readMatches(db, connectors, scopeOf(request).organizationId, request.params.id),
  )

  app.post(
    '/connections/:id/matches',
    {
      schema: {
        tags,
        summary: 'Confirm that an account is a customer (admins); a full run applies it',
        params: idParams,
        body: matchConfirm,
        response: { 200: accountMatches, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return db.transaction((tx) =>
        confirmMatch(tx, queue, connectors, scope, request.params.id, request.body),
      )
    },
  )
  done()
}
