import type Chargebee from 'chargebee'
import { FullSyncRequiredError, serverSeconds } from '../common.ts'
import { SourceError, type SkippedRecord, type SourceCustomer, type SourcePage } from '../types.ts'
import { call } from './client.ts'
import { mapChargebeeCustomer } from './map.ts'
import { changesCursor, chargebeeList, fullCursor, type ChangesCursor } from './schemas.ts'

const pageSize = 100
/** Margin between Chargebee's clock in its Date header and the updated_at it writes. */
const clockMarginSeconds = 60

/**
 * Every live customer, oldest change first. The last page's cursor starts the next incremental
 * run at the time this one began (less a margin), so what changed while it was reading — a
 * deletion included — is read again.
 */
export async function* listAll(
  chargebee: Chargebee,
  cursor: unknown,
  signal?: AbortSignal,
): AsyncGenerator<SourcePage> {
  const resumed = fullCursor.safeParse(cursor)
  let offset = resumed.success ? resumed.data.full.offset : undefined
  let startedAt = resumed.success ? resumed.data.full.startedAt : null
  const listing: Listing = { showsContacts: false }
  for (;;) {
    const response = await call(signal, () =>
      chargebee.customer.list({
        limit: pageSize,
        'sort_by[asc]': 'updated_at',
        ...(offset !== undefined && { offset }),
      }),
    )
    startedAt ??= serverSeconds(response.headers.date) - clockMarginSeconds
    const list = readList(response)
    const page = await mapAll(chargebee, list.list, listing, signal)
    if (list.next_offset !== undefined) {
      offset = list.next_offset
      yield { ...page, cursor: { v: 1, full: { offset, startedAt } } }
      continue
    }
    const next: ChangesCursor = { v: 1, updatedAt: startedAt, seen: {} }
    yield { ...page, cursor: next }
    return
  }
}

/**
 * Customers updated since the cursor, deleted ones included, oldest change first. Customers
 * updated in the same second can straddle a page or a run, so the cursor keeps the second and
 * the versions already applied in it: the next run asks for that second again and drops only
 * those exact versions.
 */
export async function* listChanges(
  chargebee: Chargebee,
  rawCursor: unknown,
  signal?: AbortSignal,
): AsyncGenerator<SourcePage> {
  if (rawCursor === null || rawCursor === undefined) {
    throw new FullSyncRequiredError(
      'Nothing was synced from Chargebee yet: a full sync comes first.',
    )
  }
  if (fullCursor.safeParse(rawCursor).success) {
    throw new FullSyncRequiredError(
      'The last full sync from Chargebee did not finish: a full sync is needed before changes can be followed again.',
    )
  }
  const parsed = changesCursor.safeParse(rawCursor)
  if (!parsed.success) {
    throw new FullSyncRequiredError(
      'The saved Chargebee sync position is not one Roster can resume: a full sync is needed.',
    )
  }
  const from = parsed.data
  let position: ChangesCursor = { ...from, seen: { ...from.seen } }
  let offset: string | undefined
  const listing: Listing = { showsContacts: false }
  for (;;) {
    const response = await call(signal, () =>
      chargebee.customer.list({
        limit: pageSize,
        'sort_by[asc]': 'updated_at',
        include_deleted: true,
        updated_at: { after: from.updatedAt - 1 },
        ...(offset !== undefined && { offset }),
      }),
    )
    const list = readList(response)
    const fresh = list.list.filter((item) => {
      const { id, updatedAt, version } = stamp(item)
      return !(updatedAt === from.updatedAt && id !== null && from.seen[id] === version)
    })
    const page = await mapAll(chargebee, fresh, listing, signal)
    for (const item of list.list) position = advance(position, stamp(item))
    yield { ...page, cursor: position }
    if (list.next_offset === undefined) return
    offset = list.next_offset
  }
}

function advance(
  position: ChangesCursor,
  { id, updatedAt, version }: ReturnType<typeof stamp>,
): ChangesCursor {
  if (id === null || updatedAt === null || updatedAt < position.updatedAt) return position
  const seen = updatedAt > position.updatedAt ? {} : { ...position.seen }
  return { v: 1, updatedAt, seen: { ...seen, [id]: version ?? updatedAt } }
}

/** A list item's id, updated_at and resource_version, read leniently (for the cursor only). */
function stamp(item: unknown) {
  const customer = (item as { customer?: Record<string, unknown> } | null)?.customer
  const id = typeof customer?.id === 'string' ? customer.id : null
  const updatedAt = typeof customer?.updated_at === 'number' ? customer.updated_at : null
  const version =
    typeof customer?.resource_version === 'number' ? customer.resource_version : updatedAt
  return { id, updatedAt, version }
}

/**
 * Whether a listing shows the customers' contacts. Chargebee leaves an empty `contacts[]` out, so
 * once a customer of the listing came with the array, one without it has no contacts; only a
 * listing that never showed any (a site whose lists leave contacts out) asks the contacts
 * endpoint, customer by customer.
 */
interface Listing {
  showsContacts: boolean
}

/** Maps each item; a customer listed without its contacts array gets it from the contacts call. */
async function mapAll(
  chargebee: Chargebee,
  items: unknown[],
  listing: Listing,
  signal?: AbortSignal,
) {
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  const raws = items.map((item) => (item as { customer?: unknown } | null)?.customer)
  listing.showsContacts ||= raws.some(
    (raw) => typeof raw === 'object' && raw !== null && 'contacts' in raw,
  )
  for (const raw of raws) {
    let contacts: unknown[] | undefined
    if (!listing.showsContacts && needsContacts(raw)) {
      const id = (raw as { id: string }).id
      contacts = await contactsOf(chargebee, id, signal)
      if (contacts === undefined) {
        skipped.push({
          externalId: id,
          reason: `Chargebee customer ${id} disappeared while it was read; the next sync brings its change.`,
        })
        continue
      }
    }
    const mapped = mapChargebeeCustomer(raw, contacts)
    if (mapped.customer) customers.push(mapped.customer)
    skipped.push(...mapped.skipped)
  }
  return { customers, skipped }
}

function needsContacts(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null) return false
  const c = raw as Record<string, unknown>
  return (
    typeof c.id === 'string' &&
    !('contacts' in c) &&
    c.deleted !== true &&
    c.pii_cleared !== 'cleared'
  )
}

/** Every contact of one customer, page after page; undefined when the customer is gone. */
async function contactsOf(chargebee: Chargebee, id: string, signal?: AbortSignal) {
  const contacts: unknown[] = []
  let offset: string | undefined
  try {
    for (;;) {
      const response = await call(signal, () =>
        chargebee.customer.contactsForCustomer(id, {
          limit: pageSize,
          ...(offset !== undefined && { offset }),
        }),
      )
      const list = readList(response)
      for (const item of list.list) contacts.push((item as { contact?: unknown } | null)?.contact)
      if (list.next_offset === undefined) return contacts
      offset = list.next_offset
    }
  } catch (error) {
    if (error instanceof SourceError && error.kind === 'not_found') return undefined
    throw error
  }
}

function readList(response: unknown) {
  const list = chargebeeList.safeParse(response)
  if (list.success) return list.data
  throw new SourceError('temporary', 'the list it answered could not be read', {
    cause: list.error,
  })
}
