import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../../platform/auth/scope.ts'

/**
 * Audit rows written in sets by the set-based writers (the import merge, the sync): the columns,
 * the actor's values, and customers and contacts as the trail keeps them.
 */
export const auditInsert = sql`
  insert into audit_events (organization_id, entity, entity_id, customer_id, action, actor_kind,
    actor_id, actor_label, before, after)`

export const actorValues = (actor: Actor): SQL =>
  sql`${actor.kind}::actor_kind, ${actor.id}::uuid, ${actor.label}::text`

export const customerSnapshot = (a: string): SQL =>
  sql.raw(`jsonb_build_object('id', ${a}.id, 'name', ${a}.name, 'externalId', ${a}.external_id,
    'accountingCode', ${a}.accounting_code, 'vatNumber', ${a}.vat_number, 'address', ${a}.address,
    'postalCode', ${a}.postal_code, 'city', ${a}.city, 'country', ${a}.country,
    'currency', ${a}.currency, 'groupId', ${a}.group_id, 'workflowId', ${a}.workflow_id,
    'sourceConnectionId', ${a}.source_connection_id)`)

export const contactSnapshot = (a: string): SQL =>
  sql.raw(`jsonb_build_object('id', ${a}.id, 'customerId', ${a}.customer_id, 'email', ${a}.email,
    'firstName', ${a}.first_name, 'lastName', ${a}.last_name, 'phone', ${a}.phone,
    'externalId', ${a}.external_id, 'role', ${a}.role, 'isMain', ${a}.is_main,
    'sourceConnectionId', ${a}.source_connection_id)`)
