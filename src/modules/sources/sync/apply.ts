import { sql, type SQL } from 'drizzle-orm'
import { customerCatalogue, syncedColumns } from '../../../contracts/fields.ts'
import type { Tx } from '../../../platform/db/client.ts'
import { actorValues, auditInsert, customerSnapshot } from '../../audit/audit.sql.ts'
import type { Actor } from '../../../platform/auth/scope.ts'
import { systemNames, type SourceSystem } from '../systems.ts'
import type { SkippedRecord } from '../connectors/types.ts'
import { eraseContact } from '../../contacts/erasure.service.ts'
import { archiveContacts, mirrorContacts } from './contacts.ts'
import { json, linkGroups, withExternalIds, type ParentLink } from './sql.ts'
import type { CustomerRecord } from './records.ts'

/**
 * The set-based writes of the sync: one page of a connection's customers, in the caller's
 * transaction (which also stores the page's cursor). Customers are upserted by (organisation,
 * connection, Customer ID); when the connection is the contact source, each customer's contacts
 * become exactly the source's list, matched by contact id, else by email. Every change is written
 * with its audit row in the same statement. Counts are per customer: a customer whose fields or
 * contacts changed is updated once, an unchanged one is not counted.
 */
export interface ApplyContext {
  organizationId: string
  connectionId: string
  runId: string
  full: boolean
  /** The connection is the contact source and contacts were not disconnected. */
  ownsContacts: boolean
  actor: Actor
}

export interface PageOutcome {
  created: number
  updated: number
  archived: number
  skipped: SkippedRecord[]
  /** Customers whose parent (group) Roster does not hold yet: tried again after the next page. */
  waiting: ParentLink[]
}

/**
 * Applies the readable customers of a page; `skipped` are the records that were not readable.
 * `waiting`: customers of earlier pages of the run whose parent was not held yet.
 */
export async function applyPage(
  tx: Tx,
  c: ApplyContext,
  page: { customers: CustomerRecord[]; skipped: SkippedRecord[] },
  waiting: ParentLink[] = [],
): Promise<PageOutcome> {
  const records = page.customers
  const skipped: SkippedRecord[] = [...page.skipped]
  const taken = await takenByOtherConnections(tx, c, records)
  for (const [externalId, owner] of taken) {
    skipped.push({
      externalId,
      reason: `Another connection (${systemNames[owner.system]}, "${owner.name}") already brings a customer with this Customer ID.`,
    })
  }
  const mine = records.filter((r) => !taken.has(r.externalId))
  const live = mine.filter((r) => !r.archived)
  const gone = mine.filter((r) => r.archived).map((r) => r.externalId)

  const upserted = await upsertCustomers(tx, c, live)
  const archived = await archiveCustomers(tx, c, withExternalIds(c.organizationId, gone))
  await eraseContactsOf(
    tx,
    c,
    mine.filter((r) => r.erased === true).map((r) => r.externalId),
  )
  const contactChanges = c.ownsContacts ? await mirrorContacts(tx, c, live) : []
  const listed = new Set(mine.map((r) => r.externalId))
  const groups = await linkGroups(tx, c, [
    ...waiting.filter((l) => !listed.has(l.externalId)),
    ...mine.flatMap((r) =>
      r.parentExternalId === undefined
        ? []
        : [{ externalId: r.externalId, parentExternalId: r.parentExternalId }],
    ),
  ])
  if (c.full) {
    // A record that could not be read this time still exists at the source: not archived.
    const seen = [...mine.map((r) => r.externalId), ...skippedIds(page.skipped)]
    await tx.execute(sql`
      insert into sync_run_seen (organization_id, run_id, external_id)
      select ${c.organizationId}::uuid, ${c.runId}::uuid, value
      from jsonb_array_elements_text(${json(seen)})
      on conflict do nothing`)
  }
  const created = new Set(upserted.filter((u) => u.action === 'create').map((u) => u.id))
  const updated = new Set(
    [
      ...upserted.filter((u) => u.action !== 'create').map((u) => u.id),
      ...contactChanges,
      // A customer of an earlier page was counted there.
      ...groups.changed.filter((g) => listed.has(g.externalId)).map((g) => g.id),
    ].filter((id) => !created.has(id)),
  )
  return {
    created: created.size,
    updated: updated.size,
    archived: archived.length,
    skipped,
    waiting: groups.waiting,
  }
}

/**
 * The source erased these customers' people (GDPR): the contacts this connection brought to
 * them, archived or not, are erased as an admin's erasure would (contacts/erasure.service.ts),
 * once: an erased contact is left alone when the customer is listed again.
 */
async function eraseContactsOf(tx: Tx, c: ApplyContext, externalIds: string[]): Promise<void> {
  if (externalIds.length === 0) return
  const { rows } = await tx.execute<{ id: string }>(sql`
    select k.id from contacts k
    join ${withExternalIds(c.organizationId, externalIds)} cu
      on cu.organization_id = k.organization_id and cu.id = k.customer_id
    where k.organization_id = ${c.organizationId}::uuid
      and cu.source_connection_id = ${c.connectionId}::uuid
      and k.source_connection_id = ${c.connectionId}::uuid and k.erased_at is null
    order by k.id`)
  const scope = { organizationId: c.organizationId, actor: c.actor }
  for (const row of rows) await eraseContact(tx, scope, row.id, { fromSource: true })
}

const skippedIds = (skipped: SkippedRecord[]): string[] =>
  skipped.flatMap((s) => (s.externalId ? [s.externalId] : []))

/** Customer IDs of the page already brought by another connection: skipped and reported. */
async function takenByOtherConnections(
  tx: Tx,
  c: ApplyContext,
  records: CustomerRecord[],
): Promise<Map<string, { system: SourceSystem; name: string }>> {
  const { rows } = await tx.execute<{
    external_id: string
    system: SourceSystem
    name: string
  }>(sql`
    select c.external_id, s.system, s.name
    from ${withExternalIds(
      c.organizationId,
      records.map((r) => r.externalId),
    )} c
    join connections s on s.organization_id = c.organization_id and s.id = c.source_connection_id
    where c.source_connection_id <> ${c.connectionId}::uuid`)
  return new Map(rows.map((row) => [row.external_id, { system: row.system, name: row.name }]))
}

/** The customer columns a source's records bring (the catalogue's synced fields). */
const synced = syncedColumns(customerCatalogue)

/**
 * Creates the page's new customers and overwrites the source-owned fields of the others; a
 * Roster-owned customer with the same Customer ID is taken over, an archived one restored.
 */
async function upsertCustomers(
  tx: Tx,
  c: ApplyContext,
  records: CustomerRecord[],
): Promise<{ id: string; action: string }[]> {
  if (records.length === 0) return []
  const org = sql`${c.organizationId}::uuid`
  const conn = sql`${c.connectionId}::uuid`
  const page = records.map((r) => ({
    external_id: r.externalId,
    ...Object.fromEntries(
      synced.map(({ key, column }) => [column, r[key as keyof CustomerRecord]]),
    ),
  }))
  const fields = synced.map(({ column }) => column)
  const { rows } = await tx.execute<{ id: string; action: string }>(sql`
    with x as (
      select * from jsonb_to_recordset(${json(page)}) as x(external_id text,
        ${sql.raw(synced.map(({ column, sqlType }) => `${column} ${sqlType}`).join(', '))})
    ),
    old as (
      select c.* from customers c join x on c.organization_id = ${org} and c.external_id = x.external_id
      where c.source_connection_id = ${conn} or c.source_connection_id is null
    ),
    ins as (
      insert into customers (organization_id, external_id, source_connection_id, ${sql.raw(fields.join(', '))})
      select ${org}, x.external_id, ${conn}, ${sql.raw(fields.map((f) => `x.${f}`).join(', '))}
      from x
      where not exists (select 1 from customers c
        where c.organization_id = ${org} and c.external_id = x.external_id)
      returning *
    ),
    upd as (
      update customers c set ${sql.raw(fields.map((f) => `${f} = x.${f}`).join(', '))},
        source_connection_id = ${conn}, archived_at = null, updated_at = now()
      from x join old on old.external_id = x.external_id
      where c.organization_id = ${org} and c.id = old.id
        and (old.source_connection_id is null or old.archived_at is not null
          or (${sql.raw(fields.map((f) => `old.${f}::text`).join(', '))})
            is distinct from (${sql.raw(fields.map((f) => `x.${f}`).join(', '))}))
      returning c.*
    ),
    changes as (
      select ins.id, 'create'::audit_action as action, null::jsonb as before,
        ${customerSnapshot('ins')} as after
      from ins
      union all
      select upd.id,
        (case when old.archived_at is not null then 'restore' else 'update' end)::audit_action,
        ${customerSnapshot('old')}, ${customerSnapshot('upd')}
      from upd join old on old.id = upd.id
    ),
    audit as (
      ${auditInsert}
      select ${org}, 'customer', id, id, action, ${actorValues(c.actor)}, before, after from changes
    )
    select id, action::text from changes`)
  return rows
}

/**
 * Archives the connection's live customers among `from` (customers, or a part of them) that
 * `where` keeps (on alias `c`), with their contacts when the connection owns them. Returns the
 * archived customers' ids.
 */
export async function archiveCustomers(
  tx: Tx,
  c: ApplyContext,
  from: SQL,
  where: SQL = sql`true`,
): Promise<string[]> {
  const org = sql`${c.organizationId}::uuid`
  const { rows } = await tx.execute<{ id: string }>(sql`
    with old as (
      select c.* from ${from} c
      where c.organization_id = ${org} and c.source_connection_id = ${c.connectionId}::uuid
        and c.archived_at is null and ${where}
    ),
    upd as (
      update customers c set archived_at = now(), updated_at = now()
      from old where c.organization_id = ${org} and c.id = old.id
      returning c.*
    ),
    audit as (
      ${auditInsert}
      select ${org}, 'customer', upd.id, upd.id, 'archive', ${actorValues(c.actor)},
        ${customerSnapshot('old')}, ${customerSnapshot('upd')}
      from upd join old on old.id = upd.id
    )
    select id from upd`)
  const archived = rows.map((row) => row.id)
  if (c.ownsContacts && archived.length > 0) await archiveContacts(tx, c, archived, [])
  return archived
}
