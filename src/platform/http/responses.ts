import { errorEnvelope } from '../../contracts/common.ts'

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const errorResponses = {
  400: errorEnvelope,
  401: errorEnvelope,
  403: errorEnvelope,
  404: errorEnvelope,
  409: errorEnvelope,
} as const
