import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { workflow, workflowCreate } from '../../contracts/workflows.ts'
import type { Db } from '../../platform/db/client.ts'
import { requireRole, scopeOf } from '../../platform/http/auth.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import { addWorkflow, listWorkflows } from './workflows.service.ts'

export const workflowRoutes: FastifyPluginCallbackZod<{ db: Db }> = (app, { db }, done) => {
  app.get(
    '/workflows',
    {
      schema: {
        tags: ['Workflows'],
        summary: 'List the workflows',
        response: { 200: z.object({ data: z.array(workflow) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listWorkflows(db, scopeOf(request).organizationId) }),
  )

  app.post(
    '/workflows',
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Create a workflow (admins)',
        body: workflowCreate,
        response: { 201: workflow, ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = requireRole(request, 'admin')
      return reply.code(201).send(await addWorkflow(db, scope.organizationId, request.body.name))
    },
  )
  done()
}
