import { CredentialsUnreadable } from '../../../platform/auth/encryption.ts'
import { AppError } from '../../../platform/errors.ts'
import { SourceError } from '../connectors/types.ts'

/**
 * The one policy for provider failures, classified once by the connector (SourceError):
 * rate-limited → wait as long as the source asks (or back off) and list again from the last
 * applied page; temporary → back off and list again; auth revoked → the connection needs
 * reconnecting; a cursor the source no longer knows (not found, incremental) → a full run.
 * Retries are bounded; then the run fails and the next one resumes from the stored cursor.
 * (Bad records are not failures: the connector and the engine skip and report them.)
 */
export interface RetryOptions {
  /** Consecutive retries of one page before the run fails. */
  retries: { rateLimited: number; temporary: number }
  /** The wait before retry `attempt` (0, 1, …) when the source gave none. */
  backoffMs: (attempt: number) => number
  /** Longest wait Roster accepts; a source asking for more fails the run (the next one resumes). */
  maxWaitMs: number
}

export const defaultRetry: RetryOptions = {
  retries: { rateLimited: 5, temporary: 4 },
  backoffMs: (attempt) => Math.min(60_000, 1000 * 2 ** attempt) * (0.75 + Math.random() / 2),
  maxWaitMs: 5 * 60_000,
}

export type Decision =
  | { kind: 'retry'; delayMs: number }
  | { kind: 'full' }
  | { kind: 'fail'; message: string; reconnect: boolean }

const minutes = (ms: number): string =>
  ms < 90_000 ? `${Math.round(ms / 1000)} seconds` : `${Math.round(ms / 60_000)} minutes`

export function decide(
  error: unknown,
  context: { attempt: number; mode: 'full' | 'incremental'; source: string },
  options: RetryOptions,
): Decision {
  const { attempt, source } = context
  const resume = 'The next run continues from the last page applied.'
  if (error instanceof CredentialsUnreadable) {
    return { kind: 'fail', message: error.message, reconnect: true }
  }
  if (error instanceof AppError) return { kind: 'fail', message: error.message, reconnect: false }
  if (!(error instanceof SourceError)) {
    const detail = error instanceof Error ? error.message : String(error)
    return {
      kind: 'fail',
      message: `The sync stopped on an unexpected error: ${detail}`,
      reconnect: false,
    }
  }
  switch (error.kind) {
    case 'rate_limited': {
      const delayMs = error.retryAfterMs ?? options.backoffMs(attempt)
      if (delayMs > options.maxWaitMs) {
        return {
          kind: 'fail',
          message: `${source} asked Roster to wait ${minutes(delayMs)} before its next request (${error.message}). ${resume}`,
          reconnect: false,
        }
      }
      if (attempt < options.retries.rateLimited) return { kind: 'retry', delayMs }
      return {
        kind: 'fail',
        message: `${source} kept answering "too many requests" after ${attempt + 1} tries. ${resume}`,
        reconnect: false,
      }
    }
    case 'temporary':
      if (attempt < options.retries.temporary) {
        return { kind: 'retry', delayMs: options.backoffMs(attempt) }
      }
      return {
        kind: 'fail',
        message: `${source} could not be reached after ${attempt + 1} tries (${error.message}). ${resume}`,
        reconnect: false,
      }
    case 'auth_revoked':
      return {
        kind: 'fail',
        message: `${source} refused Roster's credentials (${error.message}). Reconnect the connection with valid credentials.`,
        reconnect: true,
      }
    case 'not_found':
      if (context.mode === 'incremental') return { kind: 'full' }
      return { kind: 'fail', message: `${source} answered: ${error.message}`, reconnect: false }
    case 'bad_data':
    case 'unverified':
      return {
        kind: 'fail',
        message: `${source} sent something Roster cannot read: ${error.message}`,
        reconnect: false,
      }
  }
}
