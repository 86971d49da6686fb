import type { FastifyError, FastifyInstance } from 'fastify'
import { withoutValues } from '../db/errors.ts'
import { AppError, httpStatus, type ErrorDetail } from '../errors.ts'

type ZodProvider = typeof import('fastify-type-provider-zod')

interface ValidationIssue {
  keyword: string
  instancePath: string
  message?: string
  params: { keys?: unknown }
}

function issueDetails(issue: ValidationIssue, where: string): ErrorDetail[] {
  const base = issue.instancePath.split('/').filter(Boolean)
  const keys = issue.params.keys
  if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
    return keys.map((key) => ({
      path: [...base, String(key)].join('.'),
      message: 'Unknown field.',
    }))
  }
  return [{ path: base.join('.') || where, message: issue.message ?? 'Not valid.' }]
}

function toAppError(error: FastifyError, provider: ZodProvider): AppError {
  if (error instanceof AppError) return error
  if (provider.hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body'
    const details = error.validation.flatMap((issue) => issueDetails(issue, where))
    const unknown = details.filter((d) => d.message === 'Unknown field.').map((d) => d.path)
    const message =
      unknown.length > 0
        ? `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`
        : `Some fields are not valid: ${details.map((d) => `${d.path ?? where}: ${d.message}`).join('; ')}`
    return new AppError('validation_failed', message, details)
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('bad_request', 'The request body is not valid JSON.')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is too large.')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send the request body as application/json.')
    default:
      break
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('bad_request', error.message)
  }
  return new AppError('internal', 'Something went wrong on our side; try again.')
}

/** One place turns every error into `{ error: { code, message, details } }`. */
export async function registerErrorHandling(app: FastifyInstance): Promise<void> {
  const provider = await import('fastify-type-provider-zod')
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, provider)
    if (appError.code === 'internal') request.log.error(withoutValues(error))
    if (appError.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(appError.retryAfterSeconds))))
    }
    return reply.code(httpStatus(appError.code)).send({
      error: { code: appError.code, message: appError.message, details: appError.details },
    })
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: 'not_found',
        message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`,
        details: [],
      },
    }),
  )
}
