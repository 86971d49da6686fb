/** The closed set of error codes the API, CLI and web app speak. */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'source_owned'
  | 'payload_too_large'
  | 'file_refused'
  | 'unprocessable'
  | 'unsupported_media_type'
  | 'source_unavailable'
  | 'not_configured'
  | 'rate_limited'
  | 'idempotency_key_reused'
  | 'internal'

export interface ErrorDetail {
  path?: string
  message: string
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: ErrorDetail[]
  /** For `rate_limited`: when to try again (the answer's Retry-After). */
  readonly retryAfterSeconds: number | undefined

  constructor(
    code: ErrorCode,
    message: string,
    details: ErrorDetail[] = [],
    options: { retryAfterSeconds?: number } = {},
  ) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.details = details
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case 'bad_request':
    case 'validation_failed':
      return 400
    case 'unauthenticated':
      return 401
    case 'forbidden':
      return 403
    case 'not_found':
      return 404
    case 'conflict':
    case 'source_owned':
      return 409
    case 'payload_too_large':
      return 413
    case 'file_refused':
    case 'unprocessable':
    case 'idempotency_key_reused':
      return 422
    case 'unsupported_media_type':
      return 415
    case 'source_unavailable':
      return 502
    case 'not_configured':
      return 503
    case 'rate_limited':
      return 429
    case 'internal':
      return 500
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found.`)

/** Postgres unique violation on the named constraint/index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = findPgError(error)
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint)
}

function findPgError(error: unknown): { code?: string; constraint?: string } | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const candidate = current as Error & { code?: string; constraint?: string }
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate
    current = candidate.cause
  }
  return undefined
}
