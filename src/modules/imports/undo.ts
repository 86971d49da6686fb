import { sql, type SQL } from 'drizzle-orm'
import { contactCatalogue, customerCatalogue, type FieldDecl } from '../../contracts/fields.ts'
import type { ImportUndo } from '../../contracts/imports.ts'
import type { Db, Tx } from '../../platform/db/client.ts'
import { imports } from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import { actorValues, auditInsert, contactSnapshot, customerSnapshot } from '../audit/audit.sql.ts'
import { importActor, type ImportRow } from './apply/run.ts'
import { importWhere } from './imports.queries.ts'

/**
 * Undoing an import, set-based: the trail's rows the import wrote (actor `import`, its id) say
 * what it created and, in their `before`, the values it changed, full snapshots or only the
 * changed keys alike. Records it created are removed, the values it changed are put back, and a
 * record another actor changed after the import is left as it is and listed. One transaction, a
 * few statements over a temporary table, whatever the size of the import.
 */

/** How many of the records left as they were the import's row keeps, to show. */
const KEPT_SHOWN = 100

const undoable: ImportRow['status'][] = ['completed', 'failed', 'cancelled']

function refusal(row: ImportRow): string | null {
  if (row.undo) {
    return `This import was already undone on ${row.undo.at.slice(0, 10)} by ${row.undo.by}.`
  }
  if (row.status === 'queued' || row.status === 'running') {
    return 'This import is still running: wait for it to finish, or cancel it, then undo it.'
  }
  if (!undoable.includes(row.status)) {
    return 'This import was never run, so there is nothing to undo.'
  }
  return null
}

/** The fields an undo writes back from a snapshot, by their key in the trail. */
const restorable = (catalogue: Record<string, FieldDecl>, skip: string[]) =>
  Object.entries(catalogue).flatMap(([key, f]) =>
    f.column && f.audit && f.audit !== 'source' && f.audit !== 'memberEmails' && !skip.includes(key)
      ? [{ key, column: f.column, audit: f.audit }]
      : [],
  )
const customerFields = restorable(customerCatalogue, [])
const contactFields = restorable(contactCatalogue, ['customerId', 'isMain'])

/**
 * The snapshot's plain values typed as the table's columns (`r.v`), by `jsonb_populate_record`:
 * dates, booleans and enums come back as the table has them.
 */
const typed = (table: string, fields: { key: string; column: string; audit: string }[]): SQL =>
  sql.raw(
    `jsonb_populate_record(null::${table}, jsonb_build_object(${fields
      .filter((f) => f.audit === 'value')
      .map((f) => `'${f.column}', u.b -> '${f.key}'`)
      .join(', ')})) as v`,
  )

/**
 * The rows of an import run before its rows carried its id: they carry its member's id and the
 * import's label, written while it ran.
 */
function earlier(row: ImportRow): SQL {
  if (!row.startedAt || !row.finishedAt) return sql`false`
  const member = row.actorId ? sql`actor_id = ${row.actorId}::uuid` : sql`actor_id is null`
  return sql`(${member} and actor_label = ${importActor(row).label}
    and at between ${row.startedAt.toISOString()}::timestamptz and ${row.finishedAt.toISOString()}::timestamptz)`
}

export async function undoImport(db: Db, scope: Scope, id: string): Promise<ImportRow> {
  const organizationId = scope.organizationId
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(imports)
      .where(importWhere(organizationId, id))
      .for('update')
    if (!row) throw notFound('Import')
    const refused = refusal(row)
    if (refused) throw new AppError('conflict', refused)

    const undo = await revert(tx, scope, row)
    const [done] = await tx
      .update(imports)
      .set({ undo })
      .where(importWhere(organizationId, id))
      .returning()
    if (!done) throw notFound('Import')
    return done
  })
}

async function revert(tx: Tx, scope: Scope, row: ImportRow): Promise<ImportUndo> {
  const org = sql`${row.organizationId}::uuid`
  const importId = sql`${row.id}::uuid`
  const pending = sql`u.reason is null`

  await tx.execute(sql`
    create temp table roster_undo (
      entity text not null, id uuid not null, customer_id uuid, created boolean not null,
      b jsonb not null, changed_by text, changed_at timestamptz, reason text,
      now jsonb, name text
    ) on commit drop`)

  // Per record: whether the import created it, the values it changed as they were before (each
  // key is changed by one row of the import), and the latest change by another actor since.
  await tx.execute(sql`
    insert into roster_undo (entity, id, customer_id, created, b, changed_by, changed_at, reason)
    with ev as (
      select entity, entity_id, customer_id, action::text as action, at, before, after
      from audit_events
      where organization_id = ${org} and actor_kind = 'import' and (actor_id = ${importId}
        or ${earlier(row)})
    ),
    -- One pass, no join: the estimates of a fresh trail are too poor to join two aggregates.
    e as (
      select ev.entity, ev.entity_id as id, (array_agg(ev.customer_id))[1] as customer_id,
        bool_or(ev.action = 'create') as created, max(ev.at) as last_at,
        coalesce(jsonb_object_agg(k.key, k.value) filter (where k.key is not null), '{}'::jsonb) as b
      from ev left join lateral (
        select k.key, k.value from jsonb_each(case when ev.action = 'update' then ev.before end) k
        where k.key <> 'id'
          and (ev.after is null or not (ev.after ? k.key) or ev.after -> k.key is distinct from k.value)
      ) k on true
      group by ev.entity, ev.entity_id
    )
    select e.entity::text, e.id, e.customer_id, e.created, e.b,
      later.actor_label, later.at, case when later.at is not null then 'changed' end
    from e
    left join lateral (
      select a.actor_label, a.at from (
        select a.actor_label, a.at, a.actor_kind, a.actor_id from audit_events a
        where a.organization_id = ${org} and a.entity = e.entity and a.entity_id = e.id
          and a.at > e.last_at
        union all
        -- A customer the import created is removed with its contacts: any change to them counts.
        select a.actor_label, a.at, a.actor_kind, a.actor_id from audit_events a
        where e.entity = 'customer' and e.created and a.organization_id = ${org}
          and a.customer_id = e.id and a.at > e.last_at
      ) a
      where not (a.actor_kind = 'import' and a.actor_id is not distinct from ${importId})
      order by a.at desc limit 1
    ) later on true`)

  // Its statistics, for the plans of the statements that join it with customers and contacts.
  await tx.execute(sql`analyze roster_undo`)

  // The records as they are now, for the trail and the list of those left as they were.
  await tx.execute(sql`
    update roster_undo u set now = ${customerSnapshot('c')}, name = c.name
    from customers c
    where u.entity = 'customer' and c.organization_id = ${org} and c.id = u.id`)
  await tx.execute(sql`
    update roster_undo u set now = ${contactSnapshot('k')},
      name = coalesce(k.email, nullif(trim(concat_ws(' ', k.first_name, k.last_name)), ''), 'contact')
    from contacts k
    where u.entity = 'contact' and k.organization_id = ${org} and k.id = u.id`)

  // Contacts: those created are removed first (a main one frees its customer's place), then the
  // values changed are put back, main contacts unmarked before others are marked again.
  await tx.execute(sql`
    delete from contacts k using roster_undo u
    where u.entity = 'contact' and u.created and ${pending}
      and k.organization_id = ${org} and k.id = u.id`)
  const contactSet = contactFields
    .map(
      (f) =>
        `${f.column} = case when r.b ? '${f.key}' then (r.v).${f.column} else k.${f.column} end`,
    )
    .join(', ')
  await tx.execute(sql`
    with r as (
      select u.id, u.b, ${typed('contacts', contactFields)} from roster_undo u
      where u.entity = 'contact' and not u.created and ${pending} and u.b <> '{}'::jsonb
    )
    update contacts k set ${sql.raw(contactSet)},
      is_main = case when r.b ? 'isMain' and (r.b ->> 'isMain') = 'false' then false else k.is_main end,
      updated_at = now()
    from r where k.organization_id = ${org} and k.id = r.id`)
  await tx.execute(sql`
    update contacts k set is_main = true, updated_at = now()
    from roster_undo u
    where u.entity = 'contact' and not u.created and ${pending} and (u.b ->> 'isMain') = 'true'
      and k.organization_id = ${org} and k.id = u.id and not k.is_main
      and not exists (select 1 from contacts o where o.organization_id = k.organization_id
        and o.customer_id = k.customer_id and o.is_main)`)

  // Customers: account managers and values put back, then those created removed.
  await tx.execute(sql`
    delete from customer_account_managers x using roster_undo u
    where u.entity = 'customer' and not u.created and ${pending} and u.b ? 'accountManagers'
      and x.organization_id = ${org} and x.customer_id = u.id`)
  await tx.execute(sql`
    insert into customer_account_managers (organization_id, customer_id, member_id)
    select ${org}, u.id, m.id
    from roster_undo u
    cross join lateral jsonb_array_elements_text(
      case when jsonb_typeof(u.b -> 'accountManagers') = 'array' then u.b -> 'accountManagers'
      else '[]'::jsonb end) as e(email)
    join members m on m.organization_id = ${org} and lower(m.email) = lower(e.email)
    join customers c on c.organization_id = ${org} and c.id = u.id
    where u.entity = 'customer' and not u.created and ${pending} and u.b ? 'accountManagers'
    on conflict do nothing`)

  const removed = sql`select d.id from roster_undo d
    where d.entity = 'customer' and d.created and d.reason is null`
  const customerValue = (f: (typeof customerFields)[number]): string => {
    switch (f.audit) {
      case 'groupName':
        // Found again by its name; a customer the undo removes is not a candidate.
        return `case when r.b ->> '${f.key}' is null then null else (
          select g.id from customers g where g.organization_id = c.organization_id
            and g.name = r.b ->> '${f.key}' and g.id <> c.id
            and g.id not in (select d.id from roster_undo d
              where d.entity = 'customer' and d.created and d.reason is null)
          order by g.archived_at nulls first, g.created_at, g.id limit 1) end`
      case 'workflowName':
        return `case when r.b ->> '${f.key}' is null then null else (
          select w.id from workflows w where w.organization_id = c.organization_id
            and lower(w.name) = lower(r.b ->> '${f.key}')) end`
      default:
        return `(r.v).${f.column}`
    }
  }
  const customerSet = customerFields
    .map(
      (f) =>
        `${f.column} = case when r.b ? '${f.key}' then ${customerValue(f)} else c.${f.column} end`,
    )
    .join(', ')
  await tx.execute(sql`
    with r as (
      select u.id, u.b, ${typed('customers', customerFields)} from roster_undo u
      where u.entity = 'customer' and not u.created and ${pending} and u.b <> '{}'::jsonb
    )
    update customers c set ${sql.raw(customerSet)}, updated_at = now()
    from r where c.organization_id = ${org} and c.id = r.id`)

  // A customer the import created that is still the group of a customer that stays, stays.
  await tx.execute(sql`
    update roster_undo u set reason = 'group'
    where u.entity = 'customer' and u.created and ${pending}
      and exists (select 1 from customers c where c.organization_id = ${org} and c.group_id = u.id
        and c.id not in (${removed}))`)
  await tx.execute(sql`
    delete from contacts k using roster_undo u
    where u.entity = 'customer' and u.created and ${pending}
      and k.organization_id = ${org} and k.customer_id = u.id`)
  await tx.execute(sql`
    delete from customers c using roster_undo u
    where u.entity = 'customer' and u.created and ${pending}
      and c.organization_id = ${org} and c.id = u.id`)

  const actor = actorValues(scope.actor)
  await tx.execute(sql`
    ${auditInsert}
    select ${org}, 'customer', u.id, u.id, 'undo', ${actor}, u.now,
      case when c.id is null then null else ${customerSnapshot('c')} end
    from roster_undo u
    left join customers c on c.organization_id = ${org} and c.id = u.id
    where u.entity = 'customer' and ${pending} and u.now is not null`)
  await tx.execute(sql`
    ${auditInsert}
    select ${org}, 'contact', u.id, coalesce(k.customer_id, u.customer_id), 'undo', ${actor}, u.now,
      case when k.id is null then null else ${contactSnapshot('k')} end
    from roster_undo u
    left join contacts k on k.organization_id = ${org} and k.id = u.id
    where u.entity = 'contact' and ${pending} and u.now is not null`)

  const { rows: counts } = await tx.execute<{
    entity: 'customer' | 'contact'
    removed: number
    restored: number
    kept: number
  }>(sql`
    select entity,
      count(*) filter (where created and reason is null and now is not null)::int as removed,
      count(*) filter (where not created and reason is null and now is not null
        and b <> '{}'::jsonb)::int as restored,
      count(*) filter (where reason is not null and now is not null)::int as kept
    from roster_undo group by entity`)
  const { rows: kept } = await tx.execute<{
    entity: 'customer' | 'contact'
    id: string
    name: string
    reason: string
    changed_by: string | null
    changed_at: string | Date | null
  }>(sql`
    select entity, id, name, reason, changed_by, changed_at from roster_undo
    where reason is not null and now is not null
    order by entity desc, lower(name), id limit ${KEPT_SHOWN}`)
  const count = (entity: 'customer' | 'contact') => {
    const found = counts.find((c) => c.entity === entity)
    return { removed: found?.removed ?? 0, restored: found?.restored ?? 0 }
  }
  return {
    at: new Date().toISOString(),
    by: scope.actor.label,
    customers: count('customer'),
    contacts: count('contact'),
    keptTotal: counts.reduce((sum, c) => sum + c.kept, 0),
    kept: kept.map((k) => {
      const at = k.changed_at === null ? null : new Date(k.changed_at).toISOString()
      return {
        entity: k.entity,
        id: k.id,
        name: k.name,
        changedBy: k.changed_by,
        changedAt: at,
        reason:
          k.reason === 'group'
            ? 'Kept: it is still the group of customers that stay.'
            : `Changed since by ${k.changed_by ?? 'someone'} on ${at?.slice(0, 10) ?? 'a later date'}.`,
      }
    }),
  }
}
