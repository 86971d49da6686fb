import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors.ts'

/** True when `dir` holds a built web app. */
export const hasWebApp = (dir: string): boolean => existsSync(join(dir, 'index.html'))

/**
 * Serves the built web app next to the API: hashed assets cached for a year (compressed when the
 * browser accepts it), and index.html —
 * never cached, so a new build is picked up at the next visit — for every other path that is not
 * the API's, so that the app's own routes (/customers/…) open directly.
 */
export async function registerWebApp(
  app: FastifyInstance,
  dir: string,
  build?: Promise<unknown>,
): Promise<void> {
  // While a first build runs, its pages say so and look again shortly (a meta refresh: the
  // content security policy allows no inline script).
  let index: Buffer | undefined
  let failed = false
  if (build) {
    // The builder reports its own failure (the server's output); visitors only learn of it.
    build.then(
      () => {
        if (hasWebApp(dir)) index = readFileSync(join(dir, 'index.html'))
        else failed = true
      },
      () => (failed = true),
    )
  } else index = readFileSync(join(dir, 'index.html'))
  await app.register(import('@fastify/static'), {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    // The build writes .br and .gz copies of scripts and style sheets (web/vite.config.ts).
    preCompressed: true,
    index: false,
    schemaHide: true,
    // Absent until the first build ends; read at each request.
    suppressWarning: build !== undefined,
  })
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    if (path.startsWith('/api/') || path === '/api') {
      throw new AppError('not_found', `No route ${request.method} ${path}.`)
    }
    if (!index) {
      if (!failed) reply.header('retry-after', '2')
      return reply
        .code(failed ? 500 : 503)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(failed ? failedPage : buildingPage)
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index)
  })
}

const page = (head: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Roster</title>${head}` +
  '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}</style>' +
  `</head><body>${body}</body></html>`

const buildingPage = page(
  '<meta http-equiv="refresh" content="2">',
  '<h1>Roster is starting</h1><p>The web app is being built, the first time after an install or an update. This page opens it as soon as it is ready.</p>',
)

const failedPage = page(
  '',
  "<h1>The web app could not be built</h1><p>The API still answers. The server's output says why; restart it once that is fixed.</p>",
)
