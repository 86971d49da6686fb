import type { FastifyInstance } from 'fastify'
import type { FastifyPluginAsyncZod, FastifyPluginCallbackZod } from 'fastify-type-provider-zod'
import { contactRoutes } from '../modules/contacts/contacts.routes.ts'
import { customerRoutes } from '../modules/customers/customers.routes.ts'
import { importRoutes } from '../modules/imports/imports.routes.ts'
import { notificationRoutes } from '../modules/notifications/notifications.routes.ts'
import { contactSourceRoutes } from '../modules/organizations/contact-source.routes.ts'
import { credentialResolver } from '../modules/organizations/credentials.ts'
import { profileRoutes } from '../modules/organizations/profile.routes.ts'
import { accountRoutes } from '../modules/organizations/accounts.routes.ts'
import { memberRoutes } from '../modules/organizations/members.routes.ts'
import { organizationRoutes, sessionRoutes } from '../modules/organizations/organizations.routes.ts'
import { connectionRoutes } from '../modules/sources/connections.routes.ts'
import { consentRoutes, oauthCallbackRoutes } from '../modules/sources/consent.routes.ts'
import {
  connectors as registeredConnectors,
  webhookHeaders,
  type Connectors,
} from '../modules/sources/connectors/index.ts'
import { reminderRoutes } from '../modules/reminders/reminders.routes.ts'
import { webhookRoutes } from '../modules/sources/webhooks.routes.ts'
import { webhookEndpointRoutes } from '../modules/webhooks/webhooks.routes.ts'
import { workflowRoutes } from '../modules/workflows/workflows.routes.ts'
import type { Vault } from '../platform/auth/encryption.ts'
import type { Db } from '../platform/db/client.ts'
import { defaultApiLimits, type ApiLimits } from '../platform/config.ts'
import { authenticate } from '../platform/http/auth.ts'
import { idempotentPosts } from '../platform/http/idempotency.ts'
import { limitRequests } from '../platform/http/limits.ts'
import { sameOriginWrites } from '../platform/http/origin.ts'
import { createServer, type ServerOptions } from '../platform/http/server.ts'
import { readiness } from '../platform/health.ts'
import type { Queue } from '../platform/queue/queue.ts'

export interface AppOptions extends Pick<
  ServerOptions,
  'bodyLimit' | 'logger' | 'webDir' | 'webBuild' | 'trustProxy' | 'metrics'
> {
  db: Db
  queue: Queue
  /** Encrypts connection credentials. */
  vault: Vault
  /** Roster's public address, for the webhook URLs of connections. */
  publicUrl: string
  importMaxBytes?: number
  /** The connector of each system (Roster's own unless given: tests give scripted ones). */
  connectors?: Connectors
  /** Whether an admin may give a connection a base URL (ROSTER_ALLOW_BASE_URL); off unless set. */
  allowBaseUrl?: boolean
  /** What each API key and session may ask (Config.apiLimits); 600 a minute, 10 at once unless given. */
  apiLimits?: ApiLimits
  /** Whether anyone may sign up, creating an organisation (ROSTER_SIGNUP=open); closed unless given. */
  signupOpen?: boolean
  /** Whether webhook endpoints may be http:// or local (ROSTER_WEBHOOK_ALLOW_LOCAL); off unless set. */
  webhookAllowLocal?: boolean
}

/** What every routes plugin may be given. */
interface RouteDeps {
  db: Db
  queue: Queue
  vault: Vault
  publicUrl: string
  importMaxBytes: number
  connectors: Connectors
  allowBaseUrl: boolean
  webhookAllowLocal: boolean
}

/** The API routes that need credentials; a module's routes plugin is added here. */
const authenticatedRoutes: (
  FastifyPluginCallbackZod<RouteDeps> | FastifyPluginAsyncZod<RouteDeps>
)[] = [
  organizationRoutes,
  memberRoutes,
  customerRoutes,
  contactRoutes,
  workflowRoutes,
  reminderRoutes,
  importRoutes,
  notificationRoutes,
  profileRoutes,
  contactSourceRoutes,
  connectionRoutes,
  consentRoutes,
  webhookEndpointRoutes,
]

/** Roster's HTTP application: the platform's server with every module's routes. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db, queue, vault, publicUrl, connectors = registeredConnectors } = options
  const deps: RouteDeps = {
    db,
    queue,
    vault,
    publicUrl,
    importMaxBytes: options.importMaxBytes ?? 200 * 1024 * 1024,
    connectors,
    allowBaseUrl: options.allowBaseUrl ?? false,
    webhookAllowLocal: options.webhookAllowLocal ?? false,
  }
  const credentials = credentialResolver(db)
  return createServer({
    bodyLimit: options.bodyLimit,
    logger: options.logger,
    webDir: options.webDir,
    webBuild: options.webBuild,
    trustProxy: options.trustProxy,
    metrics: options.metrics,
    readiness: () => readiness(db, queue),
    // Each connector's webhook signature header is hidden in the log too.
    redactHeaders: webhookHeaders(connectors),
    routes: async (app) => {
      await app.register(webhookRoutes, { db, queue, vault, connectors })
      await app.register(oauthCallbackRoutes, deps)
      await app.register(
        async (api) => {
          sameOriginWrites(api, publicUrl)
          await api.register(sessionRoutes, { db })
          await api.register(accountRoutes, {
            db,
            queue,
            signupOpen: options.signupOpen ?? false,
          })
          await api.register(async (secured) => {
            secured.addHook('onRequest', async (request) => {
              const credential = await authenticate(credentials, request)
              request.scope = credential.scope
              request.credential = credential.id
            })
            limitRequests(secured, db, options.apiLimits ?? defaultApiLimits)
            idempotentPosts(secured, db)
            for (const routes of authenticatedRoutes) await secured.register(routes, deps)
          })
        },
        { prefix: '/api/v1' },
      )
    },
  })
}
