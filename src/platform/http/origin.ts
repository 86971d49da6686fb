import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Where a request says it comes from, when it is a page of this Roster, or why not. */
function foreignSource(request: FastifyRequest, publicUrl: string): string | null {
  const own = new Set([new URL(publicUrl).origin, `${request.protocol}://${request.host}`])
  const origin = request.headers.origin
  if (origin !== undefined) return own.has(origin) ? null : origin
  // No Origin: a browser says where the request came from another way; other clients do not.
  const site = request.headers['sec-fetch-site']
  if (site === undefined || site === 'same-origin' || site === 'none') return null
  return `a ${site} page`
}

/**
 * Refuses a write that a browser sent from another site with the member's session cookie (CSRF):
 * every request that changes something and is not authenticated by an API key (the `Authorization`
 * header, which no other site can make a browser send) must come from Roster's own pages. The
 * session cookie's SameSite=Lax alone lets sibling subdomains and other ports on the host through.
 */
export function sameOriginWrites(app: FastifyInstance, publicUrl: string): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (safeMethods.has(request.method) || request.headers.authorization !== undefined) {
      done()
      return
    }
    const foreign = foreignSource(request, publicUrl)
    if (foreign === null) {
      done()
      return
    }
    done(
      new AppError(
        'forbidden',
        `This change was sent from ${foreign}, not from Roster's own pages: it was refused. Use Roster's pages, or an API key.`,
      ),
    )
  })
}
