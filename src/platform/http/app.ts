import cookie from '@fastify/cookie'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyInstance } from 'fastify'
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type FastifyPluginAsyncZod,
  type FastifyPluginCallbackZod,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import { contactRoutes } from '../../modules/contacts/contacts.routes.ts'
import { customerRoutes } from '../../modules/customers/customers.routes.ts'
import { importRoutes } from '../../modules/imports/imports.routes.ts'
import { notificationRoutes } from '../../modules/notifications/notifications.routes.ts'
import { authenticate } from '../../modules/organizations/auth.ts'
import { contactSourceRoutes } from '../../modules/organizations/contact-source.routes.ts'
import {
  organizationRoutes,
  sessionRoutes,
} from '../../modules/organizations/organizations.routes.ts'
import { connectionRoutes } from '../../modules/sources/connections.routes.ts'
import {
  connectors as registeredConnectors,
  webhookHeaders,
  type Connectors,
} from '../../modules/sources/connectors/index.ts'
import { webhookRoutes } from '../../modules/sources/webhooks.routes.ts'
import type { Vault } from '../auth/encryption.ts'
import type { Db } from '../db/client.ts'
import type { Queue } from '../queue/queue.ts'
import { registerErrorHandling } from './errors.ts'
import { hasWebApp, registerWebApp } from './web.ts'

export interface AppOptions {
  db: Db
  queue: Queue
  /** Encrypts connection credentials. */
  vault: Vault
  /** Roster's public address, for the webhook URLs of connections. */
  publicUrl: string
  bodyLimit?: number
  importMaxBytes?: number
  /** Pino options; `stream` receives the log lines (stdout by default). */
  logger?: boolean | { level: string; stream?: { write(line: string): void } }
  /** A built web app to serve next to the API (see src/platform/web/build.ts). */
  webDir?: string
  /** The connector of each system (Roster's own unless given: tests give scripted ones). */
  connectors?: Connectors
}

/** What every routes plugin may be given. */
interface RouteDeps {
  db: Db
  queue: Queue
  vault: Vault
  publicUrl: string
  importMaxBytes: number
  connectors: Connectors
}

/** Registers the API routes that need credentials; add a module's routes here. */
const authenticatedRoutes: (
  FastifyPluginCallbackZod<RouteDeps> | FastifyPluginAsyncZod<RouteDeps>
)[] = [
  organizationRoutes,
  customerRoutes,
  contactRoutes,
  importRoutes,
  notificationRoutes,
  contactSourceRoutes,
  connectionRoutes,
]

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Credentials never reach the log: request bodies are not logged, and these headers are hidden.
    logger: options.logger
      ? {
          ...(typeof options.logger === 'object' ? options.logger : {}),
          redact: [
            'req.headers.authorization',
            'req.headers.cookie',
            ...webhookHeaders(options.connectors).map((header) => `req.headers["${header}"]`),
          ],
        }
      : false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  registerErrorHandling(app)

  await app.register(cookie)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Roster API',
        version: '1',
        description:
          'Customers and contacts for accounts-receivable teams. Authenticate with `Authorization: Bearer <API key>` or a session cookie from `POST /api/v1/session`. Errors are `{"error":{"code","message","details"}}`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'roster_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger())
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }))

  const { db, queue, vault, publicUrl, connectors = registeredConnectors } = options
  const deps: RouteDeps = {
    db,
    queue,
    vault,
    publicUrl,
    importMaxBytes: options.importMaxBytes ?? 200 * 1024 * 1024,
    connectors,
  }
  await app.register(webhookRoutes, { db, queue, vault, connectors })
  await app.register(
    async (api) => {
      await api.register(sessionRoutes, { db })
      await api.register(async (secured) => {
        secured.addHook('onRequest', async (request) => {
          request.scope = await authenticate(db, request)
        })
        for (const routes of authenticatedRoutes) await secured.register(routes, deps)
      })
    },
    { prefix: '/api/v1' },
  )
  if (options.webDir && hasWebApp(options.webDir)) await registerWebApp(app, options.webDir)
  return app
}
