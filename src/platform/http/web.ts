import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
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
export async function registerWebApp(app: FastifyInstance, dir: string): Promise<void> {
  const index = readFileSync(join(dir, 'index.html'))
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    // The build writes .br and .gz copies of scripts and style sheets (web/vite.config.ts).
    preCompressed: true,
    index: false,
    schemaHide: true,
  })
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    if (path.startsWith('/api/') || path === '/api') {
      throw new AppError('not_found', `No route ${request.method} ${path}.`)
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index)
  })
}
