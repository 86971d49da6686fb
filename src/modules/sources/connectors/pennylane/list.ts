import { FullSyncRequiredError } from '../common.ts'
import { SourceError, type SkippedRecord, type SourceCustomer, type SourcePage } from '../types.ts'
import { statusOf, type PennylaneClient } from './client.ts'
import { deletedPennylaneCustomer, mapPennylaneCustomer } from './map.ts'
import {
  changelogItem,
  changesCursor,
  fullCursor,
  pennylaneList,
  type ChangelogItem,
  type ChangesCursor,
} from './schemas.ts'

const pageSize = 100
/** The changelog's largest page. */
const changelogPageSize = 1000
/** Changes may show in the changelog a little after their time: that much is read again. */
const visibilityLagSeconds = 60

const expiredMessage =
  'Pennylane keeps its changelog for 4 weeks and the last sync is older than that: a full sync is needed to catch up.'

/**
 * Every customer, company and individual, oldest id first (so one created during the run comes
 * on a later page). The last page's cursor starts the changelog at the time the run began, less
 * the visibility lag, so what changed while it was reading is read again.
 */
export async function* listAll(
  client: PennylaneClient,
  cursor: unknown,
  signal?: AbortSignal,
): AsyncGenerator<SourcePage> {
  const resumed = fullCursor.safeParse(cursor)
  let next = resumed.success ? resumed.data.full.cursor : undefined
  let startedAt = resumed.success ? resumed.data.full.startedAt : null
  for (;;) {
    signal?.throwIfAborted()
    const answer = await client.get('/customers', {
      limit: String(pageSize),
      sort: 'id',
      ...(next !== undefined && { cursor: next }),
    })
    startedAt ??= isoSeconds(answer.serverTime - visibilityLagSeconds)
    const list = readList(answer.body)
    const page = mapAll(list.items)
    if (list.has_more === true && list.next_cursor) {
      next = list.next_cursor
      yield { ...page, cursor: { v: 1, full: { cursor: next, startedAt } } }
      continue
    }
    const changes: ChangesCursor = { v: 1, after: startedAt, seen: [] }
    yield { ...page, cursor: changes }
    return
  }
}

interface Change {
  id: number
  at: number
  processedAt: string
  deleted: boolean
}

/**
 * What changed since the cursor, from `GET /changelogs/customers` (Pennylane has no updated_at
 * filter). The changelog since the cursor is read whole, then replayed oldest first: each
 * customer once, at its latest event, its current state read back a hundred at a time with an
 * id filter; a `delete` archives it. Each page's cursor is the position of its last event, so a
 * run cut short resumes without losing or repeating anything.
 */
export async function* listChanges(
  client: PennylaneClient,
  rawCursor: unknown,
  signal?: AbortSignal,
): AsyncGenerator<SourcePage> {
  const cursor = readCursor(rawCursor)
  const from = micros(cursor.after)
  const seen = new Set(cursor.seen)
  const skipped: SkippedRecord[] = []
  const changes: Change[] = []
  let readAt: number | null = null
  let next: string | undefined
  for (;;) {
    signal?.throwIfAborted()
    // start_date and cursor may not go together: the date starts the feed, the cursor follows it.
    const query: Record<string, string> =
      next === undefined
        ? { start_date: isoSeconds(Math.floor(from / 1e6)), limit: String(changelogPageSize) }
        : { cursor: next, limit: String(changelogPageSize) }
    const answer = await changelog(client, query)
    readAt ??= answer.serverTime
    const list = readList(answer.body)
    for (const raw of list.items) {
      const item = changelogItem.safeParse(raw)
      if (!item.success) {
        skipped.push({
          externalId: null,
          reason: 'A Pennylane changelog entry could not be read; skipped.',
        })
        continue
      }
      const change = toChange(item.data)
      if (change === null) {
        skipped.push({
          externalId: String(item.data.id),
          reason: `A change of Pennylane customer ${item.data.id} has an unreadable time; skipped.`,
        })
        continue
      }
      if (change.at < from || (change.at === from && seen.has(change.id))) continue
      changes.push(change)
    }
    if (list.has_more !== true || !list.next_cursor) break
    next = list.next_cursor
  }
  changes.sort((a, b) => a.at - b.at)
  const coveredUntil = (readAt - visibilityLagSeconds) * 1e6
  if (changes.length === 0) {
    yield { customers: [], skipped, cursor: forward(cursor, coveredUntil) }
    return
  }
  const latest = new Map(changes.map((change, index) => [change.id, index]))
  let batch: Change[] = []
  for (const [index, change] of changes.entries()) {
    if (latest.get(change.id) === index) batch.push(change)
    const end = index === changes.length - 1
    if (batch.length < pageSize && !end) continue
    const page = await resolve(client, batch, signal)
    const position = positionAt(changes, index, cursor)
    yield {
      customers: page.customers,
      skipped: skipped.splice(0).concat(page.skipped),
      cursor: end ? forward(position, coveredUntil) : position,
    }
    batch = []
  }
}

function readCursor(rawCursor: unknown): ChangesCursor {
  if (rawCursor === null || rawCursor === undefined) {
    throw new FullSyncRequiredError(
      'Nothing was synced from Pennylane yet: a full sync comes first.',
    )
  }
  if (fullCursor.safeParse(rawCursor).success) {
    throw new FullSyncRequiredError(
      'The last full sync from Pennylane did not finish: a full sync is needed before changes can be followed again.',
    )
  }
  const parsed = changesCursor.safeParse(rawCursor)
  if (!parsed.success || Number.isNaN(micros(parsed.data.after))) {
    throw new FullSyncRequiredError(
      'The saved Pennylane sync position is not one Roster can resume: a full sync is needed.',
    )
  }
  return parsed.data
}

/** The changelog, a start date older than its 4 weeks (422) asking for a full sync. */
async function changelog(client: PennylaneClient, query: Record<string, string>) {
  try {
    return await client.get('/changelogs/customers', query)
  } catch (error) {
    if (statusOf(error) === 422) throw new FullSyncRequiredError(expiredMessage)
    throw error
  }
}

function toChange(item: ChangelogItem): Change | null {
  const at = micros(item.processed_at)
  if (Number.isNaN(at)) return null
  return { id: item.id, at, processedAt: item.processed_at, deleted: item.operation === 'delete' }
}

/** The cursor just after `changes[index]`: its time, and every customer changed at that time. */
function positionAt(changes: Change[], index: number, previous: ChangesCursor): ChangesCursor {
  const last = changes[index]
  if (!last) return previous
  const seen = last.at === micros(previous.after) ? [...previous.seen] : []
  for (let i = index; i >= 0 && changes[i]?.at === last.at; i--) {
    const id = changes[i]?.id
    if (id !== undefined && !seen.includes(id)) seen.push(id)
  }
  return { v: 1, after: last.processedAt, seen }
}

/** Read to the end: nothing before `coveredUntil` is left, so the next run may start there. */
function forward(position: ChangesCursor, coveredUntil: number): ChangesCursor {
  if (coveredUntil <= micros(position.after)) return position
  return { v: 1, after: isoSeconds(coveredUntil / 1e6), seen: [] }
}

/** The current state of each changed customer; deleted ones archived. */
async function resolve(client: PennylaneClient, batch: Change[], signal?: AbortSignal) {
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  const wanted = batch.filter((change) => !change.deleted).map((change) => change.id)
  const found = new Map<number, unknown>()
  if (wanted.length > 0) {
    signal?.throwIfAborted()
    const filter = [{ field: 'id', operator: 'in', value: wanted }]
    const answer = await client.get('/customers', {
      filter: JSON.stringify(filter),
      limit: String(pageSize),
    })
    for (const raw of readList(answer.body).items) {
      const id = (raw as { id?: unknown } | null)?.id
      if (typeof id === 'number') found.set(id, raw)
    }
  }
  for (const change of batch) {
    if (change.deleted) {
      customers.push(deletedPennylaneCustomer(change.id))
      continue
    }
    // Not in the filtered listing (a filter Pennylane ignored, or a customer gone since): by id.
    const raw = found.get(change.id) ?? (await readOne(client, change.id, signal))
    if (raw === undefined) {
      // Deleted after the changelog was read: its `delete` comes with the next run.
      skipped.push({
        externalId: String(change.id),
        reason: `Pennylane no longer lists customer ${change.id}; its change was skipped.`,
      })
      continue
    }
    const mapped = mapPennylaneCustomer(raw)
    if (mapped.customer) customers.push(mapped.customer)
    skipped.push(...mapped.skipped)
  }
  return { customers, skipped }
}

async function readOne(client: PennylaneClient, id: number, signal?: AbortSignal) {
  signal?.throwIfAborted()
  try {
    return (await client.get(`/customers/${id}`)).body
  } catch (error) {
    if (error instanceof SourceError && error.kind === 'not_found') return undefined
    throw error
  }
}

function mapAll(items: unknown[]) {
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  for (const raw of items) {
    const mapped = mapPennylaneCustomer(raw)
    if (mapped.customer) customers.push(mapped.customer)
    skipped.push(...mapped.skipped)
  }
  return { customers, skipped }
}

function readList(body: unknown) {
  const list = pennylaneList.safeParse(body)
  if (list.success) return list.data
  throw new SourceError('temporary', 'the list it answered could not be read', {
    cause: list.error,
  })
}

/** RFC 3339 to the second, as `start_date` takes it. */
function isoSeconds(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
}

/** A Pennylane timestamp in microseconds since the epoch (it writes six decimals); NaN if unreadable. */
export function micros(value: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/i.exec(
    value.trim(),
  )
  if (!match) return Number.NaN
  const [, whole = '', fraction = '', zone = 'Z'] = match
  const seconds = Date.parse(`${whole}${zone}`)
  if (Number.isNaN(seconds)) return Number.NaN
  return seconds * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6))
}
