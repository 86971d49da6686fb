import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Readiness } from '../health.ts'
import type { Metrics } from '../metrics.ts'
import { SESSION_COOKIE } from './auth.ts'
import { registerErrorHandling } from './errors.ts'
import { withOperationIds } from './openapi.ts'
import { refuseUnsafeText } from './text.ts'
import { hasWebApp, registerWebApp } from './web.ts'

export interface ServerOptions {
  bodyLimit?: number
  /** Pino options; `stream` receives the log lines (stdout by default). */
  logger?: boolean | { level: string; stream?: { write(line: string): void } }
  /** Request headers that carry credentials: hidden in the log, with authorization and cookie. */
  redactHeaders?: readonly string[]
  /** Registers the application's routes (the composition root, src/app/http.ts, gives them). */
  routes(app: FastifyInstance): Promise<void>
  /** Proxies believed about the client's address and protocol (see Config.trustProxy). */
  trustProxy?: boolean | number | string[]
  /** A built web app to serve next to the API (see src/platform/web/build.ts). */
  webDir?: string
  /**
   * The build of `webDir` under way, when the server starts before it ends: until then its pages
   * answer that the app is being built (the API answers already).
   */
  webBuild?: Promise<unknown>
  /** Whether this process can serve (`/readyz`): the composition root says what is checked. */
  readiness?: () => Promise<Readiness>
  /** Records each request's duration by route (served on the metrics port, not here). */
  metrics?: Metrics
}

/**
 * What the web app may load: only its own scripts, styles and requests (Mantine sets inline
 * styles), and no page may frame it, so that its one-click actions cannot be clickjacked.
 */
const csp = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  frameAncestors: ["'none'"],
}

/** A number of proxies is the hops believed, nearest first. */
const trusted = (
  setting: ServerOptions['trustProxy'] = false,
): boolean | string[] | ((address: string, hop: number) => boolean) =>
  typeof setting === 'number' ? (_address, hop) => hop < setting : setting

/**
 * The HTTP server every Roster process serves: JSON errors, cookies, the OpenAPI document and its
 * viewer, a health check, the given routes, then the web app. It knows no module: the routes are
 * handed to it.
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  // Fastify and its plugins load here, not with this module: a command that serves nothing
  // (`roster --help`, an import) does not pay for them.
  const [
    { default: Fastify },
    { jsonSchemaTransform, serializerCompiler, validatorCompiler },
    { default: cookie },
    { default: helmet },
    { default: swagger },
    { default: swaggerUi },
  ] = await Promise.all([
    import('fastify'),
    import('fastify-type-provider-zod'),
    import('@fastify/cookie'),
    import('@fastify/helmet'),
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ])
  const redact = ['authorization', 'cookie', ...(options.redactHeaders ?? [])].map(
    (header) => `req.headers[${JSON.stringify(header.toLowerCase())}]`,
  )
  const app = Fastify({
    // Credentials never reach the log: request bodies are not logged, and these headers are hidden.
    logger: options.logger
      ? { ...(typeof options.logger === 'object' ? options.logger : {}), redact }
      : false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: trusted(options.trustProxy),
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await registerErrorHandling(app)
  refuseUnsafeText(app)

  await app.register(cookie)
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: csp } })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Roster API',
        version: '1',
        license: { name: 'MIT', identifier: 'MIT' },
        description:
          'Customers and contacts for accounts-receivable teams. Authenticate with `Authorization: Bearer <API key>` or a session cookie from `POST /api/v1/session`. Errors are `{"error":{"code","message","details"}}`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
      // Relative: the API is where the document is served (the paths carry `/api/v1`), so a
      // client generated from any Roster's document calls that Roster.
      servers: [{ url: '/', description: 'The Roster serving this document' }],
    },
    transform: jsonSchemaTransform,
    // Client generators name their methods from operationIds: every operation gets one.
    transformObject: withOperationIds,
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger())
  // Alive: the process answers. Ready: it can do its work (503 with what is missing otherwise).
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }))
  const { readiness, metrics } = options
  if (readiness) {
    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      const state = await readiness()
      return reply.code(state.ready ? 200 : 503).send({
        status: state.ready ? 'ready' : 'not ready',
        checks: state.checks,
      })
    })
  }
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      // The route's pattern (/api/v1/customers/:id), never the path, so ids do not become labels.
      const route = request.routeOptions.url ?? 'unmatched'
      metrics.httpDuration.observe(
        { method: request.method, route, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      )
    })
  }

  await options.routes(app)
  if (options.webDir && (options.webBuild || hasWebApp(options.webDir))) {
    await registerWebApp(app, options.webDir, options.webBuild)
  }
  return app
}
