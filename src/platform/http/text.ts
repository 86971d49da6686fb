import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors.ts'

/**
 * Characters no text field keeps: NUL, which PostgreSQL text cannot hold, and the bidirectional
 * embeddings, overrides and isolates, which make text display otherwise than it reads
 * (`X3\u202Egnp.exe` shows as "X3exe.png"). Marks that only set a direction (U+200E, U+200F) stay.
 */
// eslint-disable-next-line no-control-regex -- NUL is the very character refused
const refused = /[\u0000\u202A-\u202E\u2066-\u2069]/

const bidiControls = /[\u202A-\u202E\u2066-\u2069]/g

/** The text without bidirectional controls; a NUL stays, for the caller to refuse with a reason. */
export const withoutBidiControls = (text: string): string => text.replace(bidiControls, '')

const reasonFor = (text: string): string =>
  text.includes('\u0000')
    ? 'Text cannot contain the NUL character (U+0000).'
    : 'Text cannot contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069).'

/** The path and reason of the first string in `value` holding a refused character. */
function firstRefused(value: unknown, path: string[]): { path: string; message: string } | null {
  if (typeof value === 'string') {
    return refused.test(value) ? { path: path.join('.'), message: reasonFor(value) } : null
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = firstRefused(item, [...path, String(index)])
      if (found) return found
    }
    return null
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = firstRefused(key, path) ?? firstRefused(item, [...path, key])
      if (found) return found
    }
  }
  return null
}

/**
 * Refuses, with a 400 naming the field, any request whose JSON body, query or path carries a
 * refused character: one rule for every route, before any of them reads the text.
 */
export function refuseUnsafeText(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    for (const [where, value] of [
      ['params', request.params],
      ['query', request.query],
      ['body', request.body],
    ] as const) {
      if (where === 'body' && (Buffer.isBuffer(value) || typeof value !== 'object')) continue
      const found = firstRefused(value, [])
      if (found) {
        const path = found.path || where
        done(
          new AppError('validation_failed', `${path}: ${found.message}`, [
            { path, message: found.message },
          ]),
        )
        return
      }
    }
    done()
  })
}
