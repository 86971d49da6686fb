import { FullSyncRequiredError } from '../common.ts'
import type { SkippedRecord, SourceCustomer, SourcePage } from '../types.ts'
import type { quickbooksApi } from './client.ts'
import { mapQuickBooksCustomer } from './map.ts'
import { changesCursor, fullCursor, type ChangesCursor } from './schemas.ts'

type Api = ReturnType<typeof quickbooksApi>

const pageSize = 100
/** Margin between QuickBooks's clock in its answers' `time` and the LastUpdatedTime it writes. */
const clockMarginSeconds = 60

/**
 * Every active customer, by Id (new customers come last, so positions hold while a run reads).
 * The last page's cursor starts the next incremental run at the time this one began (less a
 * margin), so what changed while it was reading is read again.
 */
export async function* listAll(api: Api, cursor: unknown): AsyncGenerator<SourcePage> {
  const resumed = fullCursor.safeParse(cursor)
  let position = resumed.success ? resumed.data.full.position : 1
  let startedAt = resumed.success ? resumed.data.full.startedAt : null
  for (;;) {
    const answer = await api.query(
      `SELECT * FROM Customer ORDERBY Id STARTPOSITION ${position} MAXRESULTS ${pageSize}`,
    )
    startedAt ??= serverSeconds(answer.time) - clockMarginSeconds
    const items = answer.QueryResponse.Customer ?? []
    const page = mapAll(items)
    if (items.length === pageSize) {
      position += pageSize
      yield { ...page, cursor: { v: 1, full: { position, startedAt } } }
      continue
    }
    const next: ChangesCursor = { v: 1, updatedAt: startedAt, seen: {} }
    yield { ...page, cursor: next }
    return
  }
}

/**
 * Customers updated since the cursor, inactive ones included (QuickBooks makes a deleted
 * customer inactive), oldest change first. LastUpdatedTime has whole seconds, so the cursor
 * keeps the second and the versions (SyncToken) applied in it: the next run asks for that second
 * again and drops only those exact versions.
 */
export async function* listChanges(api: Api, rawCursor: unknown): AsyncGenerator<SourcePage> {
  if (rawCursor === null || rawCursor === undefined) {
    throw new FullSyncRequiredError(
      'Nothing was synced from QuickBooks yet: a full sync comes first.',
    )
  }
  if (fullCursor.safeParse(rawCursor).success) {
    throw new FullSyncRequiredError(
      'The last full sync from QuickBooks did not finish: a full sync is needed before changes can be followed again.',
    )
  }
  const parsed = changesCursor.safeParse(rawCursor)
  if (!parsed.success) {
    throw new FullSyncRequiredError(
      'The saved QuickBooks sync position is not one Roster can resume: a full sync is needed.',
    )
  }
  const from = parsed.data
  let position: ChangesCursor = { ...from, seen: { ...from.seen } }
  let start = 1
  for (;;) {
    const answer = await api.query(
      `SELECT * FROM Customer WHERE Active IN (true, false) AND MetaData.LastUpdatedTime >= '${isoSeconds(from.updatedAt)}' ORDERBY MetaData.LastUpdatedTime STARTPOSITION ${start} MAXRESULTS ${pageSize}`,
    )
    const items = answer.QueryResponse.Customer ?? []
    const fresh = items.filter((item) => {
      const { id, updatedAt, version } = stamp(item)
      return !(updatedAt === from.updatedAt && id !== null && from.seen[id] === version)
    })
    for (const item of items) position = advance(position, stamp(item))
    yield { ...mapAll(fresh), cursor: position }
    if (items.length < pageSize) return
    start += pageSize
  }
}

function advance(
  position: ChangesCursor,
  { id, updatedAt, version }: ReturnType<typeof stamp>,
): ChangesCursor {
  if (id === null || updatedAt === null || updatedAt < position.updatedAt) return position
  const seen = updatedAt > position.updatedAt ? {} : { ...position.seen }
  return { v: 1, updatedAt, seen: { ...seen, [id]: version } }
}

/** A record's Id, LastUpdatedTime (unix seconds) and SyncToken, read leniently (cursor only). */
function stamp(item: unknown) {
  const record = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {}
  const id = typeof record.Id === 'string' ? record.Id : null
  const meta = record.MetaData as { LastUpdatedTime?: unknown } | undefined
  const at = typeof meta?.LastUpdatedTime === 'string' ? Date.parse(meta.LastUpdatedTime) : NaN
  const updatedAt = Number.isNaN(at) ? null : Math.floor(at / 1000)
  const version = typeof record.SyncToken === 'string' ? record.SyncToken : String(updatedAt)
  return { id, updatedAt, version }
}

function mapAll(items: unknown[]): { customers: SourceCustomer[]; skipped: SkippedRecord[] } {
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  for (const raw of items) {
    const mapped = mapQuickBooksCustomer(raw)
    if (mapped.customer) customers.push(mapped.customer)
    skipped.push(...mapped.skipped)
  }
  return { customers, skipped }
}

/** QuickBooks's clock from an answer's `time`, in unix seconds; ours when it sent none. */
function serverSeconds(time: string | undefined): number {
  const at = time === undefined ? Number.NaN : Date.parse(time)
  return Math.floor((Number.isNaN(at) ? Date.now() : at) / 1000)
}

/** A unix second as the query language's datetime literal, in UTC. */
function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '-00:00')
}
