import { DrizzleQueryError } from 'drizzle-orm/errors'

/** The fields of a PostgreSQL error that name what failed without quoting any value. */
const namingFields = ['code', 'severity', 'table', 'column', 'constraint', 'routine'] as const

/**
 * A database error as a log, a job's record or a terminal may show it: the statement and the
 * server's reason, never the bound values (password and key hashes, customer data) drizzle puts in
 * its message, nor the server's `detail` line, which quotes the values of a violated key, nor the
 * values its message quotes.
 * Anything else is returned as it is.
 */
export function withoutValues(error: unknown): unknown {
  if (!(error instanceof DrizzleQueryError)) return error
  const cause = error.cause as (Error & Record<string, unknown>) | undefined
  // The server's message may quote a value too (`invalid input syntax for type integer: "…"`):
  // every quoted part is masked; what it names is in the query and the fields below.
  const reason = cause?.message.replace(/"[^"]*"/g, '"…"') ?? 'the database refused it'
  const safe = new Error(`Failed query (${reason}): ${error.query}`)
  safe.name = 'DatabaseError'
  for (const field of namingFields) {
    if (cause?.[field] !== undefined) Object.assign(safe, { [field]: cause[field] })
  }
  // The stack's first line would repeat drizzle's message: only the frames are kept.
  safe.stack = [
    `${safe.name}: ${safe.message}`,
    ...(error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)),
  ].join('\n')
  return safe
}
