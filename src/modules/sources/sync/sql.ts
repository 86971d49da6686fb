import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { SyncRun } from '../../../contracts/sources.ts'
import type { DbOrTx, Tx } from '../../../platform/db/client.ts'
import { connections, syncRuns } from '../../../platform/db/schema/index.ts'
import type { Actor } from '../../../platform/auth/scope.ts'
import { actorValues, auditInsert, customerSnapshot } from '../../audit/audit.sql.ts'
import { SKIPPED_KEPT, type ConnectionRow, type RunRow } from './runs.service.ts'

type SyncRunError = SyncRun['errors'][number]

/**
 * The sync engine's SQL, one named statement each, so that engine.ts reads as orchestration.
 * A page travels as one JSON parameter.
 */
export const json = (value: unknown): SQL => sql`${JSON.stringify(value)}::jsonb`

export const ids = (values: string[]): SQL =>
  sql`(select value::uuid from jsonb_array_elements_text(${json(values)}))`

/**
 * The organisation's customers with these Customer IDs, each looked up through the unique index:
 * a page names a hundred customers of a connection that may have a hundred thousand.
 */
export const withExternalIds = (organizationId: string, externalIds: string[]): SQL => sql`(
  select found.* from jsonb_array_elements_text(${json(externalIds)}) as x(external_id)
  cross join lateral (select * from customers c
    where c.organization_id = ${organizationId}::uuid and c.external_id = x.external_id) found
)`

/** The run of a statement: its organisation, its id and its connection. */
type RunKey = Pick<RunRow, 'organizationId' | 'id' | 'connectionId'>

/** The connection of a run. */
const connectionOf = (run: RunKey) =>
  and(eq(connections.organizationId, run.organizationId), eq(connections.id, run.connectionId))

/** The connection of a run, as it is now (not locked). */
export async function readConnection(db: DbOrTx, run: RunKey): Promise<ConnectionRow | undefined> {
  const [row] = await db.select().from(connections).where(connectionOf(run))
  return row
}

/** The run as it is now, or as it was when it is gone. */
export async function reloadRun(db: DbOrTx, run: RunRow): Promise<RunRow> {
  const [row] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.organizationId, run.organizationId), eq(syncRuns.id, run.id)))
  return row ?? run
}

/**
 * Every later statement of the transaction looks up its rows by key: scanning a table instead, as
 * the planner may prefer on middling tables, would make each page cost the whole table.
 */
export async function lookUpByKeyOnly(tx: Tx): Promise<void> {
  await tx.execute(sql`set local enable_seqscan = off`)
}

/** Stores the cursor of the page just applied, in the page's transaction. */
export async function saveCursor(tx: Tx, run: RunKey, cursor: unknown): Promise<void> {
  await tx.update(connections).set({ cursor }).where(connectionOf(run))
}

/** Records that the connection's last full listing started at `at`. */
export async function markFullSync(tx: Tx, run: RunKey, at: Date): Promise<void> {
  await tx.update(connections).set({ lastFullSyncAt: at }).where(connectionOf(run))
}

/** Sets (or with null clears) the message the connection shows its admins. */
export async function setStatusMessage(tx: Tx, run: RunKey, message: string | null): Promise<void> {
  await tx.update(connections).set({ statusMessage: message }).where(connectionOf(run))
}

/** Stops the connection until an admin enters new credentials, saying why. */
export async function markNeedsReconnection(tx: Tx, run: RunKey, message: string): Promise<void> {
  await tx
    .update(connections)
    .set({ status: 'needs_reconnection', statusMessage: message })
    .where(connectionOf(run))
}

export interface RunCounts {
  pages: number
  created: number
  updated: number
  archived: number
  skipped: SyncRunError[]
}

/** Adds to the run's counts; the first SKIPPED_KEPT skipped records are kept with their reasons. */
export async function addRunCounts(tx: Tx, run: RunKey, counts: RunCounts): Promise<void> {
  const errors: SyncRunError[] = counts.skipped.map((s) => ({
    externalId: s.externalId,
    reason: s.reason,
  }))
  await tx.execute(sql`
    update sync_runs set pages = pages + ${counts.pages}, created = created + ${counts.created},
      updated = updated + ${counts.updated}, archived = archived + ${counts.archived},
      skipped = skipped + ${counts.skipped.length},
      errors = case when jsonb_array_length(errors) >= ${SKIPPED_KEPT} then errors
        else errors || ${JSON.stringify(errors)}::jsonb end
    where organization_id = ${run.organizationId}::uuid and id = ${run.id}::uuid`)
}

/** Adds notes to the run's errors, whatever their number. */
export async function appendRunErrors(tx: Tx, run: RunKey, notes: SyncRunError[]): Promise<void> {
  await tx.execute(sql`
    update sync_runs set errors = errors || ${JSON.stringify(notes)}::jsonb
    where organization_id = ${run.organizationId}::uuid and id = ${run.id}::uuid`)
}

/** Every customer, as the `from` of an archive. */
export const allCustomers: SQL = sql`customers`

/** Of customers `c`: those the run did not list (its seen Customer IDs are in sync_run_seen). */
export const notSeenBy = (run: RunKey): SQL => sql`not exists (select 1 from sync_run_seen s
        where s.organization_id = c.organization_id and s.run_id = ${run.id}::uuid
          and s.external_id = c.external_id)`

/** How many customers the run listed so far. */
export async function countSeen(tx: Tx, run: RunKey): Promise<number> {
  const { rows } = await tx.execute<{ n: number }>(sql`
    select count(*)::int as n from sync_run_seen
    where organization_id = ${run.organizationId}::uuid and run_id = ${run.id}::uuid`)
  return rows[0]?.n ?? 0
}

/** Forgets what the run listed, once its archive is done. */
export async function forgetSeen(tx: Tx, run: RunKey): Promise<void> {
  await tx.execute(sql`
    delete from sync_run_seen
    where organization_id = ${run.organizationId}::uuid and run_id = ${run.id}::uuid`)
}

/** Whether the run's connection brought customers that are not archived. */
export async function hasLiveCustomers(tx: Tx, run: RunKey): Promise<boolean> {
  const { rows } = await tx.execute(sql`
    select 1 from customers
    where organization_id = ${run.organizationId}::uuid
      and source_connection_id = ${run.connectionId}::uuid and archived_at is null limit 1`)
  return rows.length > 0
}

/** A customer's parent at the source (its group), by Customer ID; null: no group. */
export interface ParentLink {
  externalId: string
  parentExternalId: string | null
}

/**
 * Puts the connection's customers in the group of their parent, a customer of the same
 * connection, by Customer ID, with an audit row for each change; a null parent takes the
 * customer out of its group. Returns the ids of the customers changed, and the links whose
 * parent Roster does not hold yet (listed later in the run), to be tried again after the next
 * page.
 */
export async function linkGroups(
  tx: Tx,
  c: { organizationId: string; connectionId: string; actor: Actor },
  links: ParentLink[],
): Promise<{ changed: { id: string; externalId: string }[]; waiting: ParentLink[] }> {
  if (links.length === 0) return { changed: [], waiting: [] }
  const org = sql`${c.organizationId}::uuid`
  const conn = sql`${c.connectionId}::uuid`
  const page = links.map((l) => ({ external_id: l.externalId, parent: l.parentExternalId }))
  const { rows } = await tx.execute<{ external_id: string; id: string | null }>(sql`
    with x as (
      select * from jsonb_to_recordset(${json(page)}) as x(external_id text, parent text)
    ),
    resolved as (
      select x.external_id, x.parent, p.id as group_id
      from x left join customers p on p.organization_id = ${org} and p.external_id = x.parent
        and p.source_connection_id = ${conn}
    ),
    old as (
      select c.*, r.group_id as new_group_id from customers c
      join resolved r on c.organization_id = ${org} and c.external_id = r.external_id
      where c.source_connection_id = ${conn} and (r.parent is null or r.group_id is not null)
        and r.group_id is distinct from c.group_id and r.group_id is distinct from c.id
    ),
    upd as (
      update customers c set group_id = old.new_group_id, updated_at = now()
      from old where c.organization_id = ${org} and c.id = old.id
      returning c.*
    ),
    audit as (
      ${auditInsert}
      select ${org}, 'customer', upd.id, upd.id, 'update', ${actorValues(c.actor)},
        ${customerSnapshot('old')}, ${customerSnapshot('upd')}
      from upd join old on old.id = upd.id
    )
    select external_id, null::uuid as id from resolved where parent is not null and group_id is null
    union all
    select external_id, id from upd`)
  const changed = rows.flatMap((row) =>
    row.id === null ? [] : [{ id: row.id, externalId: row.external_id }],
  )
  const waiting = new Set(rows.filter((row) => row.id === null).map((row) => row.external_id))
  return { changed, waiting: links.filter((l) => waiting.has(l.externalId)) }
}
