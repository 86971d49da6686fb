import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { idParams } from '../../contracts/common.ts'
import {
  workflow,
  workflowCreate,
  workflowDeleted,
  workflowPatch,
} from '../../contracts/workflows.ts'
import type { Db } from '../../platform/db/client.ts'
import { requireRole, scopeOf } from '../../platform/http/auth.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import {
  addWorkflow,
  deleteWorkflow,
  getWorkflow,
  listWorkflows,
  updateWorkflow,
} from './workflows.service.ts'

const tags = ['Workflows']

export const workflowRoutes: FastifyPluginCallbackZod<{ db: Db }> = (app, { db }, done) => {
  app.get(
    '/workflows',
    {
      schema: {
        tags,
        summary: 'List the workflows with their steps',
        response: { 200: z.object({ data: z.array(workflow) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listWorkflows(db, scopeOf(request).organizationId) }),
  )

  app.post(
    '/workflows',
    {
      schema: {
        tags,
        summary: 'Create a workflow (admins)',
        description:
          'Steps are in order; their subject and body may use placeholders such as `{{customer.name}}`.',
        body: workflowCreate,
        response: { 201: workflow, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      const created = await db.transaction((tx) =>
        addWorkflow(tx, scope.organizationId, request.body),
      )
      return reply.code(201).send(created)
    },
  )

  app.get(
    '/workflows/:id',
    {
      schema: {
        tags,
        summary: 'Get a workflow and its steps',
        params: idParams,
        response: { 200: workflow, ...errorResponses },
      },
    },
    async (request) => getWorkflow(db, scopeOf(request).organizationId, request.params.id),
  )

  app.patch(
    '/workflows/:id',
    {
      schema: {
        tags,
        summary: 'Rename a workflow or replace its steps (admins)',
        description:
          '`steps` is the whole ordered list: a step given with its `id` is changed, one without is added, one left out is deleted.',
        params: idParams,
        body: workflowPatch,
        response: { 200: workflow, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return db.transaction((tx) =>
        updateWorkflow(tx, scope.organizationId, request.params.id, request.body),
      )
    },
  )

  app.delete(
    '/workflows/:id',
    {
      schema: {
        tags,
        summary: 'Delete a workflow (admins)',
        description: 'Answers the customers that followed it: they now follow none.',
        params: idParams,
        response: { 200: workflowDeleted, ...errorResponses },
      },
    },
    async (request) => {
      const scope = requireRole(request, 'admin')
      return db.transaction((tx) => deleteWorkflow(tx, scope, request.params.id))
    },
  )
  done()
}
