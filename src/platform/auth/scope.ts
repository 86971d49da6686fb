import type { MemberRole } from '../../contracts/organizations.ts'

/** Who makes a change: recorded in the audit trail and checked against roles. */
export interface Actor {
  kind: 'member' | 'api_key' | 'cli' | 'source' | 'import'
  id: string | null
  label: string
  /** The rights the actor has in the organisation. API keys and the CLI act as admins. */
  role: MemberRole
}

/** The organisation a request or command acts in, and who acts. */
export interface Scope {
  organizationId: string
  actor: Actor
}

export const cliActor: Actor = { kind: 'cli', id: null, label: 'command line', role: 'admin' }
