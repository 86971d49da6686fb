import { sql, type SQL } from 'drizzle-orm'
import {
  contactCatalogue,
  customerCatalogue,
  type AuditKind,
  type FieldDecl,
} from '../../contracts/fields.ts'
import type { Actor } from '../../platform/auth/scope.ts'

/**
 * Audit rows written in sets by the set-based writers (the import merge, the sync): the columns,
 * the actor's values, and customers and contacts as the trail keeps them. The snapshots hold the
 * catalogue's audited fields in values a person can read (names and emails, not ids), the same
 * shape the API's writes record (audit.service.ts).
 */
export const auditInsert = sql`
  insert into audit_events (organization_id, entity, entity_id, customer_id, action, actor_kind,
    actor_id, actor_label, before, after)`

export const actorValues = (actor: Actor): SQL =>
  sql`${actor.kind}::actor_kind, ${actor.id}::uuid, ${actor.label}::text`

/**
 * A row's value of a field, as the trail keeps it; `a` is the row's alias. A reference that is
 * null is not looked up: most imported and synced rows have no group, workflow or connection, and
 * a look-up per row of a large merge is what its time goes to.
 */
function auditValue(kind: AuditKind, column: string, a: string): string {
  const ref = `${a}.${column}`
  const unlessNull = (lookUp: string, otherwise = 'null'): string =>
    `case when ${ref} is null then ${otherwise} else ${lookUp} end`
  switch (kind) {
    case 'value':
      return ref
    case 'groupName':
      return unlessNull(
        `(select g.name from customers g where g.organization_id = ${a}.organization_id and g.id = ${ref})`,
      )
    case 'workflowName':
      return unlessNull(
        `(select w.name from workflows w where w.organization_id = ${a}.organization_id and w.id = ${ref})`,
      )
    case 'memberEmails':
      return `coalesce((select jsonb_agg(m.email order by lower(m.email))
        from customer_account_managers x
        join members m on m.organization_id = x.organization_id and m.id = x.member_id
        where x.organization_id = ${a}.organization_id and x.customer_id = ${a}.id), '[]'::jsonb)`
    case 'source':
      return unlessNull(
        `coalesce((select s.system::text from connections s
        where s.organization_id = ${a}.organization_id and s.id = ${ref}), 'roster')`,
        `'roster'`,
      )
  }
}

const snapshot = (
  catalogue: Record<string, FieldDecl>,
  a: string,
  replace: Record<string, SQL>,
): SQL => {
  const pairs = Object.entries(catalogue).flatMap(([key, f]) => {
    if (!f.audit) return []
    const value = replace[key] ?? sql.raw(auditValue(f.audit, f.column ?? 'id', a))
    return [sql.raw(`'${key}'`), value]
  })
  return sql`jsonb_build_object('id', ${sql.raw(a)}.id, ${sql.join(pairs, sql`, `)})`
}

/** A customer as the trail keeps it; `replace` gives some fields' values instead (e.g. the
 * account managers a statement is about to write). */
export const customerSnapshot = (a: string, replace: Record<string, SQL> = {}): SQL =>
  snapshot(customerCatalogue, a, replace)

export const contactSnapshot = (a: string, replace: Record<string, SQL> = {}): SQL =>
  snapshot(contactCatalogue, a, replace)
