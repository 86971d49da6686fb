import type { SwaggerTransformObject } from '@fastify/swagger'

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

const capitalised = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1)

/** `contact-source`, `do_not_remind` → `ContactSource`, `DoNotRemind`. */
const pascal = (segment: string): string =>
  segment
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map(capitalised)
    .join('')

/**
 * The operationId of an operation, from its method and path (as the document writes it, with
 * `{param}`): the method, then each segment after `/api/v1`, a parameter as `By<Param>`.
 * `POST /api/v1/contacts/{id}/erase` → `postContactsByIdErase`. A method and path name one
 * operation, so the ids are unique, and they change only when the route does: client generators
 * name their methods from them.
 */
export function operationIdOf(method: string, path: string): string {
  const segments = path
    .replace(/^\/api\/v\d+(?=\/|$)/, '')
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment)
      return param ? `By${pascal(param[1] ?? '')}` : pascal(segment)
    })
  return method.toLowerCase() + segments.join('')
}

type Operation = { operationId?: string }

/**
 * Gives every operation of the document that has none its operationId (`operationIdOf`); a route
 * may still name its own with `schema.operationId`. Two operations given the same id (a route
 * outside `/api/v1` mirroring one inside) stop the document from being served.
 */
export const withOperationIds: SwaggerTransformObject = (document) => {
  const openapi = 'openapiObject' in document ? document.openapiObject : document.swaggerObject
  const seen = new Map<string, string>()
  for (const [path, item] of Object.entries(openapi.paths ?? {})) {
    for (const method of methods) {
      const operation = (item as Partial<Record<(typeof methods)[number], Operation>>)[method]
      if (!operation) continue
      operation.operationId ??= operationIdOf(method, path)
      const where = `${method.toUpperCase()} ${path}`
      const other = seen.get(operation.operationId)
      if (other) {
        throw new Error(`${where} and ${other} have the same operationId ${operation.operationId}`)
      }
      seen.set(operation.operationId, where)
    }
  }
  return openapi
}
