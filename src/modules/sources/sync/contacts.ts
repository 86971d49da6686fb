import { randomUUID } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { contactCatalogue, syncedColumns } from '../../../contracts/fields.ts'
import type { Tx } from '../../../platform/db/client.ts'
import { actorValues, auditInsert, contactSnapshot } from '../../audit/audit.sql.ts'
import type { ApplyContext } from './apply.ts'
import type { ContactRecord, CustomerRecord } from './records.ts'
import { ids, json, withExternalIds } from './sql.ts'

/**
 * The contacts half of a page (see apply.ts), when the connection is the contact source: each
 * live customer's contacts become exactly the source's list, with their audit rows.
 */

/** Archives the live contacts of `customers` except those in `keep`; returns their customers. */
export async function archiveContacts(
  tx: Tx,
  c: ApplyContext,
  customers: string[],
  keep: string[],
): Promise<string[]> {
  return archiveWhere(tx, c, sql`k.customer_id in ${ids(customers)} and k.id not in ${ids(keep)}`)
}

/**
 * Archives the connection's live copies of these source contacts that sit on another customer
 * than the one given (null: none), e.g. a contact the source moved to another account; returns
 * the customers they leave.
 */
export async function archiveMovedContacts(
  tx: Tx,
  c: ApplyContext,
  placed: { externalId: string; customerId: string | null }[],
): Promise<string[]> {
  if (placed.length === 0) return []
  const rows = placed.map((p) => ({ external_id: p.externalId, customer_id: p.customerId }))
  return archiveWhere(
    tx,
    c,
    sql`k.source_connection_id = ${c.connectionId}::uuid and exists (
      select 1 from jsonb_to_recordset(${json(rows)}) as p(external_id text, customer_id uuid)
      where p.external_id = k.external_id and p.customer_id is distinct from k.customer_id)`,
  )
}

/** Archives the live contacts `where` keeps (on alias `k`), with their audit rows. */
async function archiveWhere(tx: Tx, c: ApplyContext, where: SQL): Promise<string[]> {
  const org = sql`${c.organizationId}::uuid`
  const { rows } = await tx.execute<{ customer_id: string }>(sql`
    with old as (
      select k.* from contacts k
      where k.organization_id = ${org} and k.archived_at is null and ${where}
    ),
    upd as (
      update contacts k set archived_at = now(), is_main = false, updated_at = now()
      from old where k.organization_id = ${org} and k.id = old.id
      returning k.*
    ),
    audit as (
      ${auditInsert}
      select ${org}, 'contact', upd.id, upd.customer_id, 'archive', ${actorValues(c.actor)},
        ${contactSnapshot('old')}, ${contactSnapshot('upd')}
      from upd join old on old.id = upd.id
    )
    select customer_id from upd`)
  return rows.map((row) => row.customer_id)
}

/** The contact columns a source's records bring (the catalogue's synced fields). */
const synced = syncedColumns(contactCatalogue)
const columns = synced.map(({ column }) => column)
const list = (alias: string): string => columns.map((column) => `${alias}.${column}`).join(', ')

type Desired = {
  id: string
  is_new: boolean
  customer_id: string
  email: string | null
  is_main: boolean
} & Record<string, unknown>

/** A contact as the mirror writes it: a billing system's (always an email) or a CRM's. */
export type MirroredContact = Omit<ContactRecord, 'email'> & { email: string | null }

/**
 * Makes each live customer's contacts the source's list: missing ones archived, known ones
 * (by contact id, else by email) updated or restored, new ones created, the source's main
 * contact main. Returns the customers whose contacts changed.
 */
export async function mirrorContacts(
  tx: Tx,
  c: ApplyContext,
  records: CustomerRecord[],
): Promise<string[]> {
  if (records.length === 0) return []
  const { rows: customers } = await tx.execute<{ id: string; external_id: string }>(sql`
    select c.id, c.external_id
    from ${withExternalIds(
      c.organizationId,
      records.map((r) => r.externalId),
    )} c
    where c.source_connection_id = ${c.connectionId}::uuid and c.archived_at is null`)
  const customerId = new Map(customers.map((row) => [row.external_id, row.id]))
  return mirrorContactLists(
    tx,
    c,
    records.flatMap((r) => {
      const id = customerId.get(r.externalId)
      return id ? [{ customerId: id, contacts: r.contacts }] : []
    }),
  )
}

/**
 * Makes each customer's live contacts exactly its list (see mirrorContacts): by customer id,
 * for a contact source that matched the customers itself (a CRM's accounts). A contact without
 * an email is matched by its id only.
 */
export async function mirrorContactLists(
  tx: Tx,
  c: ApplyContext,
  lists: { customerId: string; contacts: MirroredContact[] }[],
): Promise<string[]> {
  if (lists.length === 0) return []
  const org = sql`${c.organizationId}::uuid`
  const conn = sql`${c.connectionId}::uuid`
  const customerIds = lists.map((l) => l.customerId)
  const source = lists.flatMap((l) =>
    l.contacts.map((contact) => ({ customer_id: l.customerId, contact })),
  )
  const { rows: matches } = await tx.execute<{
    customer_id: string
    external_id: string
    contact_id: string | null
    email: string | null
  }>(sql`
    with src as (
      select * from jsonb_to_recordset(${json(
        source.map((s) => ({
          customer_id: s.customer_id,
          external_id: s.contact.externalId,
          email: s.contact.email,
        })),
      )}) as s(customer_id uuid, external_id text, email text)
    )
    select s.customer_id, s.external_id, coalesce(e.id, l.id) as contact_id,
      coalesce(e.email, l.email) as email
    from src s
    left join contacts e on e.organization_id = ${org} and e.customer_id = s.customer_id
      and e.external_id = s.external_id
    left join lateral (
      select k.id, k.email from contacts k
      where e.id is null and k.organization_id = ${org} and k.customer_id = s.customer_id
        and lower(k.email) = lower(s.email) and k.archived_at is null
        and (k.external_id is null or not exists (select 1 from src o
          where o.customer_id = s.customer_id and o.external_id = k.external_id))
    ) l on true`)
  const found = new Map(matches.map((m) => [`${m.customer_id}|${m.external_id}`, m]))
  const desired: Desired[] = source.map(({ customer_id, contact }) => {
    const match = found.get(`${customer_id}|${contact.externalId}`)
    return {
      id: match?.contact_id ?? randomUUID(),
      is_new: !match?.contact_id,
      customer_id,
      email: contact.email,
      ...Object.fromEntries(
        synced.map(({ key, column }) => [column, contact[key as keyof MirroredContact]]),
      ),
      is_main: contact.isMain,
    }
  })
  const changed = await archiveContacts(
    tx,
    c,
    customerIds,
    desired.filter((d) => !d.is_new).map((d) => d.id),
  )
  const parked = await parkSwappedEmails(tx, c, desired, matches)
  const row = sql.raw(
    `d(id uuid, is_new boolean, customer_id uuid, ${synced.map(({ column, sqlType }) => `${column} ${sqlType}`).join(', ')}, is_main boolean)`,
  )
  const { rows: updated } = await tx.execute<{ customer_id: string }>(sql`
    with d as (select * from jsonb_to_recordset(${json(desired)}) as ${row}),
    parked as (select * from jsonb_to_recordset(${json(parked)}) as p(id uuid, before jsonb)),
    old as (
      select k.* from contacts k join d on k.organization_id = ${org} and k.id = d.id
      where not d.is_new
    ),
    upd as (
      update contacts k set ${sql.raw(columns.map((column) => `${column} = d.${column}`).join(', '))},
        -- Turning a main flag on waits for the last statement, after every flag turned off.
        is_main = k.is_main and d.is_main,
        source_connection_id = ${conn}, archived_at = null, updated_at = now()
      from d join old on old.id = d.id
      where k.organization_id = ${org} and k.id = d.id
        and (old.archived_at is not null
          or (${sql.raw(list('old'))}, old.is_main, old.source_connection_id)
            is distinct from (${sql.raw(list('d'))}, d.is_main, ${conn}))
      returning k.*, d.is_main as main
    ),
    audit as (
      ${auditInsert}
      select ${org}, 'contact', upd.id, upd.customer_id,
        (case when old.archived_at is not null then 'restore' else 'update' end)::audit_action,
        ${actorValues(c.actor)}, coalesce(parked.before, ${contactSnapshot('old')}),
        ${contactSnapshot('upd')} || jsonb_build_object('isMain', upd.main)
      from upd join old on old.id = upd.id left join parked on parked.id = upd.id
    )
    select customer_id from upd`)
  const { rows: created } = await tx.execute<{ customer_id: string }>(sql`
    with d as (select * from jsonb_to_recordset(${json(desired)}) as ${row}),
    ins as (
      insert into contacts (organization_id, id, customer_id, ${sql.raw(columns.join(', '))},
        is_main, source_connection_id)
      select ${org}, d.id, d.customer_id, ${sql.raw(list('d'))}, d.is_main, ${conn}
      from d where d.is_new
      returning *
    ),
    audit as (
      ${auditInsert}
      select ${org}, 'contact', ins.id, ins.customer_id, 'create', ${actorValues(c.actor)}, null,
        ${contactSnapshot('ins')}
      from ins
    )
    select customer_id from ins`)
  await tx.execute(sql`
    update contacts k set is_main = true
    from jsonb_to_recordset(${json(desired)}) as ${row}
    where k.organization_id = ${org} and k.id = d.id and d.is_main and not k.is_main`)
  return [...changed, ...updated.map((r) => r.customer_id), ...created.map((r) => r.customer_id)]
}

/**
 * Contacts of one customer that trade emails (a's email becomes b's) would trip the unique
 * email index midway through one update: their emails are set aside first. Returns their
 * records as they were, for the audit trail.
 */
async function parkSwappedEmails(
  tx: Tx,
  c: ApplyContext,
  desired: Desired[],
  matches: { contact_id: string | null; email: string | null; customer_id: string }[],
): Promise<{ id: string; before: unknown }[]> {
  const current = new Map(
    matches.flatMap((m) => (m.contact_id && m.email ? [[m.contact_id, m] as const] : [])),
  )
  const heldBy = new Map(
    [...current.values()].map((m) => [`${m.customer_id}|${(m.email ?? '').toLowerCase()}`, m]),
  )
  const park = desired.filter((d) => {
    if (d.is_new || d.email === null) return false
    const holder = heldBy.get(`${d.customer_id}|${d.email.toLowerCase()}`)
    return holder !== undefined && holder.contact_id !== d.id
  })
  const toPark = [...new Set(park.flatMap((d) => [d.id, ...holders(d, heldBy)]))]
  if (toPark.length === 0) return []
  const org = sql`${c.organizationId}::uuid`
  const { rows } = await tx.execute<{ id: string; before: unknown }>(sql`
    with old as (select k.* from contacts k where k.organization_id = ${org} and k.id in ${ids(toPark)}),
    upd as (
      update contacts k set email = '~' || k.id::text
      from old where k.organization_id = ${org} and k.id = old.id
      returning k.id
    )
    select old.id, ${contactSnapshot('old')} as before from old join upd on upd.id = old.id`)
  return rows
}

function holders(d: Desired, heldBy: Map<string, { contact_id: string | null }>): string[] {
  if (d.email === null) return []
  const holder = heldBy.get(`${d.customer_id}|${d.email.toLowerCase()}`)
  return holder?.contact_id ? [holder.contact_id] : []
}
