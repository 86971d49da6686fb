import { createHash } from 'node:crypto'
import { FullSyncRequiredError } from '../common.ts'
import { SourceError, type SkippedRecord, type SourceCustomer, type SourcePage } from '../types.ts'
import type { SellsyClient } from './client.ts'
import { companyId, individualId, mapSellsyCompany, mapSellsyIndividual } from './map.ts'
import {
  changesCursor,
  fullCursor,
  sellsyList,
  type ChangesCursor,
  type Position,
  type SellsyList,
} from './schemas.ts'

const pageSize = 100
/** Margin between Sellsy's clock in its Date header and the change times it writes. */
const clockMarginSeconds = 60

/** The customers' lists: Sellsy's companies and individuals (natural persons) alike. */
const kinds = {
  companies: { map: mapSellsyCompany, externalId: companyId },
  individuals: { map: mapSellsyIndividual, externalId: individualId },
} as const
type Kind = keyof typeof kinds

/**
 * Every client company, then every client individual, by id. The last page's cursor starts the
 * next incremental run at the time this one began (less a margin), so what changed while it was
 * reading is read again.
 */
export function listAll(client: SellsyClient, cursor: unknown): AsyncGenerator<SourcePage> {
  return coalesce(fullSteps(client, cursor))
}

async function* fullSteps(client: SellsyClient, cursor: unknown): AsyncGenerator<SourcePage> {
  const resumed = fullCursor.safeParse(cursor)
  let startedAt = resumed.success ? resumed.data.full.startedAt : null
  const order: Kind[] = ['companies', 'individuals']
  const first = resumed.success ? order.indexOf(resumed.data.full.stream) : 0
  for (const [n, kind] of order.entries()) {
    if (n < first) continue
    let offset = resumed.success && n === first ? resumed.data.full.offset : null
    for (;;) {
      const query = listQuery('id', offset)
      const { data, at } = await client.call(sellsyList, `/${kind}/search`, {
        query,
        body: { filters: { type: ['client'], is_archived: false } },
      })
      startedAt ??= at - clockMarginSeconds
      const page = await mapAll(client, kind, data.data)
      offset = nextOffset(data)
      if (offset !== null) {
        yield { ...page, cursor: { v: 1, full: { stream: kind, offset, startedAt } } }
        continue
      }
      const next = order[n + 1]
      yield {
        ...page,
        cursor: next
          ? { v: 1, full: { stream: next, offset: null, startedAt } }
          : fromTime(startedAt),
      }
      break
    }
  }
}

const fromTime = (at: number): ChangesCursor => ({
  v: 1,
  companies: { at, seen: {} },
  individuals: { at, seen: {} },
  contacts: { at, seen: {} },
})

/**
 * What changed since the cursor: companies and individuals by `updated_at`, then contacts by
 * `updated` (a contact's change leaves its company's `updated_at` as it was), each contact's
 * companies read again. Archived ones come as archived; a deletion leaves no trace at Sellsy
 * and is found by the next full run.
 */
export function listChanges(client: SellsyClient, rawCursor: unknown): AsyncGenerator<SourcePage> {
  if (rawCursor === null || rawCursor === undefined) {
    throw new FullSyncRequiredError('Nothing was synced from Sellsy yet: a full sync comes first.')
  }
  if (fullCursor.safeParse(rawCursor).success) {
    throw new FullSyncRequiredError(
      'The last full sync from Sellsy did not finish: a full sync is needed before changes can be followed again.',
    )
  }
  const parsed = changesCursor.safeParse(rawCursor)
  if (!parsed.success) {
    throw new FullSyncRequiredError(
      'The saved Sellsy sync position is not one Roster can resume: a full sync is needed.',
    )
  }
  return coalesce(changeSteps(client, parsed.data))
}

async function* changeSteps(client: SellsyClient, from: ChangesCursor) {
  let cursor: ChangesCursor = from
  // A company read again for its contacts is reported once a run, not once a list.
  const reported = new Set<string>()
  for (const stream of ['companies', 'individuals', 'contacts'] as const) {
    const start = from[stream]
    const filter = stream === 'contacts' ? 'updated' : 'updated_at'
    let offset: string | null = null
    for (;;) {
      const { data } = await client.call(sellsyList, `/${stream}/search`, {
        query: listQuery(filter, offset),
        body: { filters: { [filter]: { start: new Date(start.at * 1000).toISOString() } } },
      })
      const fresh: unknown[] = []
      let position = cursor[stream]
      for (const item of data.data) {
        const stamp = stampOf(item, filter)
        if (stamp === null) {
          fresh.push(item)
          continue
        }
        if (!(stamp.at === start.at && start.seen[stamp.id] === stamp.fingerprint)) fresh.push(item)
        position = advance(position, stamp)
      }
      const page =
        stream === 'contacts'
          ? await companiesOfContacts(client, fresh)
          : await mapAll(client, stream, fresh)
      cursor = { ...cursor, [stream]: position }
      const skipped = page.skipped.filter((record) => {
        const key = `${record.externalId ?? ''} ${record.reason}`
        if (reported.has(key)) return false
        reported.add(key)
        return true
      })
      yield { customers: page.customers, skipped, cursor }
      offset = nextOffset(data)
      if (offset === null) break
    }
  }
}

interface Stamp {
  id: string
  at: number
  fingerprint: string
}

/** A record's id, change second and content fingerprint, read leniently (for the cursor only). */
function stampOf(item: unknown, field: 'updated' | 'updated_at'): Stamp | null {
  if (typeof item !== 'object' || item === null) return null
  const record = item as Record<string, unknown>
  const changed = typeof record[field] === 'string' ? Date.parse(record[field]) : Number.NaN
  if (typeof record.id !== 'number' || Number.isNaN(changed)) return null
  const fingerprint = createHash('sha256').update(JSON.stringify(item)).digest('base64url')
  return {
    id: String(record.id),
    at: Math.floor(changed / 1000),
    fingerprint: fingerprint.slice(0, 16),
  }
}

function advance(position: Position, stamp: Stamp): Position {
  if (stamp.at < position.at) return position
  const seen = stamp.at > position.at ? {} : position.seen
  return { at: stamp.at, seen: { ...seen, [stamp.id]: stamp.fingerprint } }
}

/**
 * The companies a changed contact belongs to, read again whole (their contacts with them). A
 * contact of several companies is a contact of each.
 */
async function companiesOfContacts(client: SellsyClient, contacts: unknown[]) {
  const ids = new Set<number>()
  for (const contact of contacts) {
    const id = (contact as { id?: unknown } | null)?.id
    if (typeof id !== 'number') continue
    for (const company of await all(client, `/contacts/${id}/companies`)) {
      const companyId = (company as { id?: unknown } | null)?.id
      if (typeof companyId === 'number') ids.add(companyId)
    }
  }
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  for (const id of ids) {
    let company: unknown
    try {
      company = await client.call(sellsyRecord, `/companies/${id}`, {
        query: new URLSearchParams([['embed[]', 'invoicing_address']]),
      })
    } catch (error) {
      // Deleted since: the next full run archives it.
      if (error instanceof SourceError && error.kind === 'not_found') continue
      throw error
    }
    const page = await mapAll(client, 'companies', [(company as { data: unknown }).data])
    customers.push(...page.customers)
    skipped.push(...page.skipped)
  }
  return { customers, skipped }
}

const sellsyRecord = sellsyList.shape.data.element

/** Maps each record with its contacts, read from its contacts list. */
async function mapAll(client: SellsyClient, kind: Kind, items: unknown[]) {
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  for (const item of items) {
    const id = (item as { id?: unknown } | null)?.id
    let contacts: unknown[] = []
    if (typeof id === 'number' && (item as { is_archived?: unknown }).is_archived !== true) {
      try {
        contacts = await all(client, `/${kind}/${id}/contacts`)
      } catch (error) {
        if (!(error instanceof SourceError) || error.kind !== 'not_found') throw error
        skipped.push({
          externalId: kinds[kind].externalId(id),
          reason: `Sellsy ${kind === 'companies' ? 'company' : 'individual'} ${id} disappeared while it was read; the next sync brings its change.`,
        })
        continue
      }
    }
    const mapped = kinds[kind].map(item, contacts)
    if (mapped.customer) customers.push(mapped.customer)
    skipped.push(...mapped.skipped)
  }
  return { customers, skipped }
}

/** Every item of a list, page after page. */
async function all(client: SellsyClient, path: string): Promise<unknown[]> {
  const items: unknown[] = []
  let offset: string | null = null
  for (;;) {
    const query = new URLSearchParams({ limit: String(pageSize) })
    if (offset !== null) query.set('offset', offset)
    const { data } = await client.call(sellsyList, path, { query })
    items.push(...data.data)
    offset = nextOffset(data)
    if (offset === null) return items
  }
}

function listQuery(order: string, offset: string | null): URLSearchParams {
  const query = new URLSearchParams({ limit: String(pageSize), order, direction: 'asc' })
  query.append('embed[]', 'invoicing_address')
  if (offset !== null) query.set('offset', offset)
  return query
}

/** Sellsy's seek offset of the next page; null after the last (a short page, or none left). */
function nextOffset(list: SellsyList): string | null {
  const { offset, count, limit } = list.pagination
  return typeof offset !== 'string' || offset === '' || count < limit ? null : offset
}

/**
 * Pages as the engine wants them: a step that brings nothing (the end of one list, an empty
 * list) only moves the cursor of the page before it, so a run has no empty pages but its last.
 */
async function* coalesce(steps: AsyncGenerator<SourcePage>): AsyncGenerator<SourcePage> {
  let held: SourcePage | null = null
  for await (const step of steps) {
    const empty = step.customers.length === 0 && step.skipped.length === 0
    if (empty && held !== null) {
      held = { customers: held.customers, skipped: held.skipped, cursor: step.cursor }
      continue
    }
    if (held) yield held
    held = step
  }
  if (held) yield held
}
