import type { CredentialResolver } from '../../platform/http/auth.ts'
import type { Db } from '../../platform/db/client.ts'
import { authenticateApiKey } from './api-keys.service.ts'
import { resolveSession } from './sessions.service.ts'

/** Looks up API keys and sessions for the HTTP layer's authentication. */
export function credentialResolver(db: Db): CredentialResolver {
  return {
    apiKey: async (key) => {
      const found = await authenticateApiKey(db, key)
      if (!found) return undefined
      return {
        scope: {
          organizationId: found.organizationId,
          actor: { kind: 'api_key', id: found.id, label: `API key ${found.name}`, role: 'admin' },
        },
        id: `api_key:${found.id}`,
      }
    },
    session: async (token) => {
      const member = await resolveSession(db, token)
      if (!member) return undefined
      return {
        scope: {
          organizationId: member.organizationId,
          actor: { kind: 'member', id: member.id, label: member.email, role: member.role },
        },
        id: `session:${member.sessionId}`,
      }
    },
  }
}
