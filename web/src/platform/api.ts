import { errorEnvelope } from '@contracts/common.ts'
import type { z } from 'zod'

export interface ErrorDetail {
  path?: string | undefined
  message: string
}

/** An error the API answered (`{ error: { code, message, details } }`), ready to show. */
export class ApiError extends Error {
  readonly code: string
  readonly status: number
  readonly details: ErrorDetail[]

  constructor(status: number, code: string, message: string, details: ErrorDetail[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }

  /** The message of the detail about one field, to show under that field. */
  fieldError(path: string): string | undefined {
    return this.details.find((detail) => detail.path === path)?.message
  }
}

type Query = Record<string, string | number | boolean | undefined | null>

interface RequestOptions<S extends z.ZodType> {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  query?: Query
  body?: unknown
  /** The response's schema from src/contracts; the answer is checked against it. */
  schema?: S
  signal?: AbortSignal
}

export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const search = params.toString()
  return `/api/v1${path}${search ? `?${search}` : ''}`
}

/** The ApiError an error answer carries (for calls made without `api`, e.g. uploads). */
export async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text()
  try {
    const { error } = errorEnvelope.parse(JSON.parse(text))
    return new ApiError(response.status, error.code, error.message, error.details)
  } catch {
    return new ApiError(
      response.status,
      response.status >= 500 ? 'internal' : 'bad_request',
      response.status >= 500
        ? 'Roster could not answer; try again in a moment.'
        : `The request failed (${response.status}).`,
    )
  }
}

/** Calls the API with the session cookie; throws an ApiError for any error answer. */
export async function api<S extends z.ZodType>(
  path: string,
  options: RequestOptions<S> = {},
): Promise<z.infer<S>> {
  let response: Response
  try {
    response = await fetch(apiUrl(path, options.query), {
      method: options.method ?? 'GET',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'network', 'Roster cannot be reached; check your connection.')
  }
  if (!response.ok) throw await errorOf(response)
  if (response.status === 204 || !options.schema) return undefined as z.infer<S>
  const parsed = options.schema.safeParse(await response.json())
  if (!parsed.success) {
    throw new ApiError(
      response.status,
      'unexpected_answer',
      'Roster answered in a form this page does not understand; reload the page.',
    )
  }
  return parsed.data
}

/** The message to show for any error. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message
  return 'Something went wrong; try again.'
}
