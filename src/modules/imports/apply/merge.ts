import { sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/client.ts'
import {
  actorValues,
  auditInsert,
  contactSnapshot,
  customerSnapshot,
} from '../../audit/audit.sql.ts'
import type { Actor } from '../../../platform/auth/scope.ts'
import { contactCatalogue, customerCatalogue, type FieldDecl } from '../../../contracts/fields.ts'

/**
 * The set-based write of one chunk of planned lines (see plan.ts): customers, account managers,
 * contacts and main contacts, each in one statement with its audit rows. A customer's value for
 * a field is the one of its latest line where the cell is filled; a blank cell changes nothing.
 */
export interface MergeContext {
  organizationId: string
  importId: string
  chunk: number
  actor: Actor
}

const latest = (column: string): SQL =>
  sql.raw(
    `(array_agg(${column} order by line desc) filter (where ${column} is not null))[1] as ${column}`,
  )

/**
 * One row per `key` (a customer or contact id) of the lines `where` selects: `alone` reads the
 * values of a key with one line, `together` those of a key with several (each column's latest
 * value). Most keys have one line; only the others pay for the ordered aggregates, one sort per
 * column and key, which were most of a merge's time.
 */
const perKey = (key: string, where: SQL, values: { alone: string; together: SQL }): SQL => sql`
  with w as (
    select l.*, count(*) over (partition by l.${sql.raw(key)}) as lines_of_key
    from import_lines l where ${where}
  )
  select ${sql.raw(key)}, ${sql.raw(values.alone)} from w where lines_of_key = 1
  union all
  select ${sql.raw(key)}, ${values.together} from w where lines_of_key > 1 group by ${sql.raw(key)}`

/**
 * The stored columns a file writes and the staged columns they come from, from the catalogue:
 * customers' (with the group and workflow the plan resolved) and contacts' (the main contact flag
 * has its own statements below).
 */
const written = (catalogue: Record<string, FieldDecl>, skip: string[] = []): [string, string][] =>
  Object.entries(catalogue).flatMap(([key, f]) =>
    f.column && f.staged && !skip.includes(key) ? [[f.column, f.staged.column]] : [],
  )
const customerSet = written(customerCatalogue)
const contactSet = written(contactCatalogue, ['isMain'])
const customerColumns = customerSet.map(([, from]) => from)
const contactColumns = contactSet.map(([, from]) => from)

/** The account managers' emails of a comma-separated list of member ids, as the trail keeps them. */
const managerEmails = (organizationId: string, ids: string): SQL => sql`coalesce((
  select jsonb_agg(m.email order by lower(m.email)) from members m
  where m.organization_id = ${organizationId}::uuid
    and m.id = any (string_to_array(${sql.raw(ids)}, ',')::uuid[])), '[]'::jsonb)`

/**
 * Of an update's two snapshots, the keys whose value changed (and `id`): an update's audit row
 * holds what it changed, `before` with every changed key's old value (what undoing it restores).
 */
const changedOf = (from: string, other: string): SQL =>
  sql.raw(`(select jsonb_build_object('id', ${from} -> 'id') || coalesce(jsonb_object_agg(e.key, e.value), '{}')
    from jsonb_each(${from}) e where e.key <> 'id' and ${other} -> e.key is distinct from e.value)`)
const changedColumns = (a: string): SQL =>
  sql`${changedOf(`${a}.before`, `${a}.after`)}, ${changedOf(`${a}.after`, `${a}.before`)}`

export async function mergeChunk(tx: Tx, c: MergeContext): Promise<void> {
  const lines = sql`l.organization_id = ${c.organizationId}::uuid and l.import_id = ${c.importId}::uuid and not l.rejected`
  const inChunk = sql`${lines} and l.chunk = ${c.chunk}`
  const audit = auditInsert
  const actor = actorValues(c.actor)

  // A customer's values, and the account managers its latest line with some gives (they replace
  // the customer's), as a comma-separated list of member ids.
  const customers = perKey('customer_id', inChunk, {
    alone: `customer_is_new as is_new, ${customerColumns.join(', ')},
      array_to_string(account_manager_ids, ',') as managers`,
    together: sql`bool_or(customer_is_new) as is_new,
      ${sql.join(customerColumns.map(latest), sql`, `)},
      (array_agg(array_to_string(account_manager_ids, ',') order by line desc)
        filter (where account_manager_ids is not null))[1] as managers`,
  })
  const managersAfter = (a: string): Record<string, SQL> => ({
    accountManagers: sql`case when ${sql.raw(a)}.managers is null then '[]'::jsonb else ${managerEmails(c.organizationId, `${a}.managers`)} end`,
  })

  if (c.chunk === 0) {
    // Groups named only on their subsidiaries' lines.
    await tx.execute(sql`
      with g as (
        select group_id, ${latest('group_name')}, ${latest('group_external_id')}
        from import_lines l
        where ${lines} and l.group_id is not null and l.group_key not like 'id:%'
          and not exists (select 1 from import_lines f where f.organization_id = l.organization_id
            and f.import_id = l.import_id and not f.rejected and f.customer_key = l.group_key)
        group by group_id
      ),
      ins as (
        insert into customers (organization_id, id, name, external_id)
        select ${c.organizationId}::uuid, group_id, group_name, group_external_id from g
        returning *
      )
      ${audit}
      select organization_id, 'customer', id, id, 'create', ${actor}, null, ${customerSnapshot('ins')}
      from ins`)
  }

  await tx.execute(sql`
    with a as (${customers}),
    ins as (
      insert into customers (organization_id, id, ${sql.raw(customerSet.map(([column]) => column).join(', '))})
      select ${c.organizationId}::uuid, customer_id, ${sql.raw(customerColumns.join(', '))}
      from a where is_new
      order by group_id nulls first
      returning *
    )
    ${audit}
    select ins.organization_id, 'customer', ins.id, ins.id, 'create', ${actor}, null,
      ${customerSnapshot('ins', managersAfter('a'))}
    from ins join a on a.customer_id = ins.id`)

  // Updated customers, audited when a field or their account managers change.
  const set = customerSet
  await tx.execute(sql`
    with a as (${customers}),
    old as (
      select c.* from customers c join a on c.organization_id = ${c.organizationId}::uuid
        and c.id = a.customer_id and not a.is_new
    ),
    upd as (
      update customers c set
        ${sql.raw(set.map(([column, from]) => `${column} = coalesce(a.${from}, c.${column})`).join(', '))},
        updated_at = now()
      from a
      where c.organization_id = ${c.organizationId}::uuid and c.id = a.customer_id and not a.is_new
        and (${sql.raw(set.map(([column, from]) => `(a.${from} is not null and a.${from} is distinct from c.${column})`).join(' or '))})
      returning c.*
    ),
    x as (
      select old.organization_id, old.id, upd.id is not null as updated, ${customerSnapshot('old')} as before,
        (case when upd.id is null then ${customerSnapshot('old')} else ${customerSnapshot('upd')} end)
          || case when a.managers is null then '{}'::jsonb
            else jsonb_build_object('accountManagers', ${managerEmails(c.organizationId, 'a.managers')}) end
          as after
      from old join a on a.customer_id = old.id left join upd on upd.id = old.id
    )
    ${audit}
    select organization_id, 'customer', id, id, 'update', ${actor}, ${changedColumns('x')}
    from x where updated or before <> after`)

  // The account managers of a line replace the customer's.
  await tx.execute(sql`
    with a as (
      select customer_id,
        (array_agg(array_to_string(account_manager_ids, ',') order by line desc)
          filter (where account_manager_ids is not null))[1] as managers
      from import_lines l where ${inChunk} group by customer_id
    ),
    w as (
      select customer_id, string_to_array(managers, ',')::uuid[] as ids from a where managers is not null
    ),
    d as (
      delete from customer_account_managers m using w
      where m.organization_id = ${c.organizationId}::uuid and m.customer_id = w.customer_id
        and not (m.member_id = any (w.ids))
      returning 1
    )
    insert into customer_account_managers (organization_id, customer_id, member_id)
    select ${c.organizationId}::uuid, customer_id, unnest(ids) from w
    on conflict do nothing`)

  const mainOfChunk = sql`
    select distinct on (customer_id) customer_id, contact_id
    from import_lines l where ${inChunk} and l.contact_is_main and l.contact_id is not null
    order by customer_id, line desc`
  // Main contact: the latest line marking one wins, over the file and over what Roster had. A
  // line saying 0 unmarks its contact, unless another line of the customer marks one. Unmarking
  // goes first, so new contacts are inserted with their flag (one "create" in their history,
  // not a "create" and an "update") without two main contacts for a moment.
  const mainFlag = (desired: SQL): SQL => sql`
    with m as (${mainOfChunk}),
    z as (
      select distinct on (contact_id) contact_id, customer_id, contact_is_main
      from import_lines l where ${inChunk} and l.contact_is_main is not null and l.contact_id is not null
      order by contact_id, line desc
    ),
    x as (${desired}),
    old as (select k.* from contacts k join x on k.organization_id = ${c.organizationId}::uuid and k.id = x.id),
    upd as (
      update contacts k set is_main = x.is_main, updated_at = now() from x
      where k.organization_id = ${c.organizationId}::uuid and k.id = x.id and k.is_main <> x.is_main
      returning k.*
    ),
    s as (
      select upd.organization_id, upd.id, upd.customer_id,
        ${contactSnapshot('old')} as before, ${contactSnapshot('upd')} as after
      from upd join old on old.id = upd.id
    )
    ${audit}
    select organization_id, 'contact', id, customer_id, 'update', ${actor}, ${changedColumns('s')}
    from s`
  await tx.execute(
    mainFlag(sql`
      select k.id, false as is_main from contacts k join m on k.organization_id = ${c.organizationId}::uuid
        and k.customer_id = m.customer_id and k.is_main and k.id <> m.contact_id
      union all
      select z.contact_id, false from z
      where not z.contact_is_main and not exists (select 1 from m where m.customer_id = z.customer_id)`),
  )

  const contacts = perKey('contact_id', sql`${inChunk} and l.contact_id is not null`, {
    alone: `customer_id, contact_is_new as is_new, ${contactColumns.join(', ')}`,
    together: sql`min(customer_id::text)::uuid as customer_id, bool_or(contact_is_new) as is_new,
      ${sql.join(contactColumns.map(latest), sql`, `)}`,
  })
  await tx.execute(sql`
    with a as (${contacts}),
    ins as (
      insert into contacts (organization_id, id, customer_id, is_main, ${sql.raw(contactSet.map(([column]) => column).join(', '))})
      select ${c.organizationId}::uuid, a.contact_id, a.customer_id, a.contact_id = m.contact_id is true,
        ${sql.raw(contactColumns.map((column) => `a.${column}`).join(', '))}
      from a left join (${mainOfChunk}) m on m.customer_id = a.customer_id where a.is_new
      returning *
    )
    ${audit}
    select organization_id, 'contact', id, customer_id, 'create', ${actor}, null, ${contactSnapshot('ins')}
    from ins`)
  await tx.execute(sql`
    with a as (${contacts}),
    old as (
      select k.* from contacts k join a on k.organization_id = ${c.organizationId}::uuid
        and k.id = a.contact_id and not a.is_new
    ),
    upd as (
      update contacts k set
        ${sql.raw(contactSet.map(([column, from]) => `${column} = coalesce(a.${from}, k.${column})`).join(', '))},
        updated_at = now()
      from a
      where k.organization_id = ${c.organizationId}::uuid and k.id = a.contact_id and not a.is_new
        and (${sql.raw(contactSet.map(([column, from]) => `(a.${from} is not null and a.${from} is distinct from k.${column})`).join(' or '))})
      returning k.*
    ),
    s as (
      select upd.organization_id, upd.id, upd.customer_id,
        ${contactSnapshot('old')} as before, ${contactSnapshot('upd')} as after
      from upd join old on old.id = upd.id
    )
    ${audit}
    select organization_id, 'contact', id, customer_id, 'update', ${actor}, ${changedColumns('s')}
    from s`)

  await tx.execute(mainFlag(sql`select contact_id as id, true as is_main from m`))
}
