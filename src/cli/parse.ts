import type { z } from 'zod'
import { AppError } from '../platform/errors.ts'

/** Checks command-line input against the same schema the API uses. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  throw new AppError(
    'validation_failed',
    result.error.issues
      .map((issue) => `--${issue.path.map(String).join('.')}: ${issue.message}`)
      .join(' '),
  )
}
