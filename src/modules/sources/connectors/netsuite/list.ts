import { createHash } from 'node:crypto'
import { FullSyncRequiredError } from '../common.ts'
import { SourceError, type SkippedRecord, type SourceCustomer, type SourcePage } from '../types.ts'
import type { NetSuiteClient } from './client.ts'
import { deletedCustomer, mapNetSuiteCustomer } from './map.ts'
import {
  changesCursor,
  clockRow,
  fullCursor,
  idRow,
  runningCursor,
  type ChangesCursor,
} from './schemas.ts'

const pageSize = 100
/** SuiteQL's largest page. */
const idPageSize = 1000
/** One SuiteQL query reads at most this many rows across its pages: then a new window by id. */
const maxRowsPerQuery = 100_000
/** Margin between the account's clock and the lastmodifieddate it writes. */
const clockMarginSeconds = 60

const customerColumns =
  'id, entityid, companyname, isperson, firstname, lastname, email, phone, accountnumber, isinactive'
const contactColumns =
  'r.company AS customer, r.contact, r.role, c.firstname, c.lastname, c.email, c.phone, c.title, c.company, c.isinactive'
const timestamp = (at: string) => `TO_TIMESTAMP('${at}', 'YYYY-MM-DD HH24:MI:SS')`

/** The SuiteQL Roster sends, each with a unique, stable ORDER BY as paging needs. */
export const queries = {
  clock: "SELECT TO_CHAR(SYSDATE, 'YYYY-MM-DD HH24:MI:SS') AS now FROM dual",
  live: (after: string | null) =>
    `SELECT ${customerColumns} FROM customer WHERE isinactive = 'F'${after === null ? '' : ` AND id > ${after}`} ORDER BY id`,
  byIds: (ids: string[]) =>
    `SELECT ${customerColumns} FROM customer WHERE id IN (${ids.join(', ')}) ORDER BY id`,
  contacts: (ids: string[]) =>
    `SELECT ${contactColumns} FROM companycontactrelationship r JOIN contact c ON c.id = r.contact WHERE r.company IN (${ids.join(', ')}) ORDER BY r.company, r.contact`,
  changed: (since: string, after: string | null) =>
    `SELECT id FROM customer WHERE lastmodifieddate >= ${timestamp(since)}${after === null ? '' : ` AND id > ${after}`} ORDER BY id`,
  contactsChanged: (since: string, after: string | null) =>
    `SELECT DISTINCT r.company AS id FROM companycontactrelationship r JOIN contact c ON c.id = r.contact WHERE c.lastmodifieddate >= ${timestamp(since)}${after === null ? '' : ` AND r.company > ${after}`} ORDER BY r.company`,
  deleted: (since: string, after: string | null) =>
    `SELECT recordid AS id FROM deletedrecord WHERE recordtype = 'customer' AND deleteddate >= ${timestamp(since)}${after === null ? '' : ` AND recordid > ${after}`} ORDER BY recordid`,
}

/**
 * Every live (active) customer by internal id, 100 a page; the engine archives the ones a full
 * run did not list, inactive ones included. Pages follow `offset` within one query and start a
 * new one after the last id when SuiteQL's 100,000 rows are reached, or when a run resumes. The
 * last page's cursor follows changes from when the run began, in the account's own clock.
 */
export async function* listAll(
  client: NetSuiteClient,
  cursor: unknown,
  signal?: AbortSignal,
): AsyncGenerator<SourcePage> {
  const resumed = fullCursor.safeParse(cursor)
  let after = resumed.success ? resumed.data.full.after : null
  const startedAt = resumed.success ? resumed.data.full.startedAt : await beganAt(client)
  let window = after
  let offset = 0
  for (;;) {
    const page = await client.suiteql(queries.live(window), pageSize, offset)
    const mapped = await mapRows(client, page.items, signal)
    after = lastId(page.items) ?? after
    if (!page.hasMore || after === null) {
      const next: ChangesCursor = { v: 1, since: startedAt, seen: {} }
      yield { ...mapped, cursor: next }
      return
    }
    offset += pageSize
    if (offset + pageSize > maxRowsPerQuery) {
      window = after
      offset = 0
    }
    yield { ...mapped, cursor: { v: 1, full: { after, startedAt } } }
  }
}

/**
 * What changed since the cursor: customers modified, customers whose related contacts were
 * modified, and deleted customers (SuiteQL's `deletedrecord`), read again by id 100 at a time;
 * one that is no longer there is archived. NetSuite keeps no version, so the cursor keeps a hash
 * of each customer brought: a customer read again with the same content is not brought twice,
 * one changed again in the same second is.
 */
export async function* listChanges(
  client: NetSuiteClient,
  rawCursor: unknown,
  signal?: AbortSignal,
): AsyncGenerator<SourcePage> {
  if (rawCursor === null || rawCursor === undefined) {
    throw new FullSyncRequiredError(
      'Nothing was synced from NetSuite yet: a full sync comes first.',
    )
  }
  if (fullCursor.safeParse(rawCursor).success) {
    throw new FullSyncRequiredError(
      'The last full sync from NetSuite did not finish: a full sync is needed before changes can be followed again.',
    )
  }
  const running = runningCursor.safeParse(rawCursor)
  const changes = changesCursor.safeParse(rawCursor)
  const from = running.success ? running.data : changes.success ? changes.data : null
  if (from === null) {
    throw new FullSyncRequiredError(
      'The saved NetSuite sync position is not one Roster can resume: a full sync is needed.',
    )
  }
  const run = running.success ? running.data.run : null
  const startedAt = run?.startedAt ?? (await beganAt(client))
  const seen: Record<string, string> = { ...run?.seen }
  const ids = (await changedIds(client, from.since)).filter(
    (id) => run === null || BigInt(id) > BigInt(run.after),
  )
  if (ids.length === 0) {
    yield { customers: [], skipped: [], cursor: { v: 1, since: startedAt, seen } }
    return
  }
  for (let start = 0; start < ids.length; start += pageSize) {
    const chunk = ids.slice(start, start + pageSize)
    const page = await client.suiteql(queries.byIds(chunk), pageSize, 0)
    const mapped = await mapRows(client, page.items, signal)
    const read = new Map(mapped.customers.map((c) => [c.externalId, c]))
    const unread = new Set(mapped.skipped.map((s) => s.externalId))
    const customers: SourceCustomer[] = []
    for (const id of chunk) {
      const customer = read.get(id) ?? (unread.has(id) ? null : deletedCustomer(id))
      if (customer === null) continue
      const hash = contentHash(customer)
      seen[id] = hash
      if (from.seen[id] !== hash) customers.push(customer)
    }
    const last = chunk.at(-1) ?? ''
    const done = start + pageSize >= ids.length
    yield {
      customers,
      skipped: mapped.skipped,
      cursor: done
        ? { v: 1, since: startedAt, seen }
        : { v: 1, since: from.since, seen: from.seen, run: { startedAt, after: last, seen } },
    }
  }
}

/** The ids of customers changed, with changed contacts, or deleted since `since`, in id order. */
async function changedIds(client: NetSuiteClient, since: string): Promise<string[]> {
  const found = new Set<string>()
  for (const query of [queries.changed, queries.contactsChanged, queries.deleted]) {
    for (const id of await allIds(client, (after) => query(since, after))) found.add(id)
  }
  return [...found].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0))
}

/** Every id a query ordered by id answers, past SuiteQL's 100,000 rows by windows of ids. */
async function allIds(
  client: NetSuiteClient,
  query: (after: string | null) => string,
): Promise<string[]> {
  const ids: string[] = []
  let window: string | null = null
  let offset = 0
  for (;;) {
    const page = await client.suiteql(query(window), idPageSize, offset)
    for (const item of page.items) {
      const row = idRow.safeParse(item)
      if (!row.success) throw unreadable('an id it listed', row.error)
      ids.push(row.data.id)
    }
    if (!page.hasMore) return ids
    offset += idPageSize
    if (offset + idPageSize > maxRowsPerQuery) {
      window = ids.at(-1) ?? null
      offset = 0
    }
  }
}

/** The customers of one page with their related contacts (one query, paged, for all of them). */
async function mapRows(client: NetSuiteClient, items: unknown[], signal?: AbortSignal) {
  const ids = items
    .map((item) => idRow.safeParse(item))
    .flatMap((r) => (r.success ? [r.data.id] : []))
  const byCustomer = new Map<string, unknown[]>()
  if (ids.length > 0) {
    let offset = 0
    for (;;) {
      signal?.throwIfAborted()
      const page = await client.suiteql(queries.contacts(ids), idPageSize, offset)
      for (const item of page.items) {
        const customer = (item as { customer?: unknown } | null)?.customer
        const key = typeof customer === 'string' ? customer : ''
        byCustomer.set(key, [...(byCustomer.get(key) ?? []), item])
      }
      if (!page.hasMore) break
      offset += idPageSize
    }
  }
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  for (const item of items) {
    const id = idRow.safeParse(item)
    const mapped = mapNetSuiteCustomer(item, id.success ? (byCustomer.get(id.data.id) ?? []) : [])
    if (mapped.customer) customers.push(mapped.customer)
    skipped.push(...mapped.skipped)
  }
  return { customers, skipped }
}

/** When this run began in the account's clock, less a margin: where the next run starts. */
async function beganAt(client: NetSuiteClient): Promise<string> {
  const page = await client.suiteql(queries.clock, 1, 0)
  const row = clockRow.safeParse(page.items[0])
  if (!row.success) throw unreadable('its clock', row.error)
  return shift(row.data.now, -clockMarginSeconds)
}

/** An account time moved by some seconds (the zone does not matter: both ends are in it). */
export function shift(at: string, seconds: number): string {
  const ms = Date.parse(`${at.replace(' ', 'T')}Z`) + seconds * 1000
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

function lastId(items: unknown[]): string | null {
  for (let n = items.length - 1; n >= 0; n--) {
    const row = idRow.safeParse(items[n])
    if (row.success) return row.data.id
  }
  return null
}

function contentHash(customer: SourceCustomer): string {
  return createHash('sha256').update(JSON.stringify(customer)).digest('base64url').slice(0, 22)
}

function unreadable(what: string, cause: unknown): SourceError {
  return new SourceError('temporary', `${what} could not be read`, { cause })
}
