import type Stripe from 'stripe'
import { FullSyncRequiredError, serverSeconds } from '../common.ts'
import { SourceError, type SkippedRecord, type SourceCustomer, type SourcePage } from '../types.ts'
import { call } from './client.ts'
import { mapStripeCustomer } from './map.ts'
import {
  customerEventTypes,
  eventsCursor,
  fullCursor,
  stripeDeletedCustomer,
  stripeEvent,
  stripeList,
  type EventsCursor,
} from './schemas.ts'

const pageSize = 100
/** Stripe keeps events 30 days; an hour of margin for clocks and a run in progress. */
const eventsKeptSeconds = 30 * 86_400 - 3_600
/** Events may show in the list a little after their `created` second; re-read that much. */
const visibilityLagSeconds = 300

const expiredMessage =
  'Stripe keeps its change history for 30 days and the last sync is older than that: a full sync is needed to catch up.'
const unfinishedMessage =
  'The last full sync from Stripe did not finish: a full sync is needed before changes can be followed again.'

/**
 * Every live customer, newest first as Stripe lists them. The last page's cursor starts the
 * event feed at the time the run began (less the visibility lag), so what changed while the run
 * was reading is read again by the next incremental run.
 */
export async function* listAll(
  stripe: Stripe,
  cursor: unknown,
  signal?: AbortSignal,
): AsyncGenerator<SourcePage> {
  const resumed = fullCursor.safeParse(cursor)
  let startingAfter = resumed.success ? resumed.data.full.startingAfter : undefined
  let startedAt = resumed.success ? resumed.data.full.startedAt : null
  for (;;) {
    const response = await call(signal, () =>
      stripe.customers.list({
        limit: pageSize,
        expand: ['data.tax_ids'],
        ...(startingAfter !== undefined && { starting_after: startingAfter }),
      }),
    )
    startedAt ??= serverSeconds(dateOf(response.lastResponse.headers)) - visibilityLagSeconds
    const list = readList(response)
    const page = mapAll(list.data)
    const last = lastId(list.data)
    if (list.has_more && last !== null) {
      startingAfter = last
      yield { ...page, cursor: { v: 1, full: { startingAfter, startedAt } } }
      continue
    }
    const next: EventsCursor = { v: 1, created: startedAt, seen: [], coveredUntil: startedAt }
    yield { ...page, cursor: next }
    return
  }
}

interface EventRef {
  id: string
  created: number
  customerId: string
  deleted: boolean
}

/**
 * What changed since the cursor, from the event feed. Stripe lists events newest first, so the
 * feed since the cursor is read whole (ids only, plus the last state of deleted customers), then
 * replayed oldest first: each customer is applied once, at its latest event, with its state read
 * afresh (events carry no tax ids). Each page's cursor is the position of its last event, so a
 * run cut short resumes without losing or skipping anything.
 */
export async function* listChanges(
  stripe: Stripe,
  rawCursor: unknown,
  signal?: AbortSignal,
): AsyncGenerator<SourcePage> {
  if (rawCursor === null || rawCursor === undefined) {
    throw new FullSyncRequiredError('Nothing was synced from Stripe yet: a full sync comes first.')
  }
  if (fullCursor.safeParse(rawCursor).success) throw new FullSyncRequiredError(unfinishedMessage)
  const parsed = eventsCursor.safeParse(rawCursor)
  if (!parsed.success) {
    throw new FullSyncRequiredError(
      'The saved Stripe sync position is not one Roster can resume: a full sync is needed.',
    )
  }
  const cursor = parsed.data
  const seen = new Set(cursor.seen)
  const refs: EventRef[] = []
  const lastStates = new Map<string, unknown>()
  const skipped: SkippedRecord[] = []
  let startingAfter: string | undefined
  let readAt: number | null = null
  for (;;) {
    const response = await call(signal, () =>
      stripe.events.list({
        limit: pageSize,
        types: [...customerEventTypes],
        created: { gte: cursor.created },
        ...(startingAfter !== undefined && { starting_after: startingAfter }),
      }),
    )
    if (readAt === null) {
      readAt = serverSeconds(dateOf(response.lastResponse.headers))
      if (readAt - cursor.coveredUntil > eventsKeptSeconds) {
        throw new FullSyncRequiredError(expiredMessage)
      }
    }
    const list = readList(response)
    for (const raw of list.data) {
      const event = stripeEvent.safeParse(raw)
      if (!event.success) {
        skipped.push({ externalId: null, reason: 'A Stripe event could not be read; skipped.' })
        continue
      }
      const e = event.data
      if (seen.has(e.id)) continue
      const isTaxId = e.type.startsWith('customer.tax_id.')
      const customerId = isTaxId ? e.data.object.customer : e.data.object.id
      if (!customerId) continue
      const deleted = e.type === 'customer.deleted'
      if (deleted && !lastStates.has(customerId)) lastStates.set(customerId, e.data.object)
      refs.push({ id: e.id, created: e.created, customerId, deleted })
    }
    const last = lastId(list.data)
    if (!list.has_more || last === null) break
    startingAfter = last
  }
  const coveredUntil = readAt - visibilityLagSeconds
  const events = refs.reverse()
  if (events.length === 0) {
    const next = { ...cursor, coveredUntil: Math.max(cursor.coveredUntil, coveredUntil) }
    yield { customers: [], skipped, cursor: next }
    return
  }
  const latest = new Map(events.map((e, index) => [e.customerId, index]))
  let batch: EventRef[] = []
  for (const [index, e] of events.entries()) {
    if (latest.get(e.customerId) === index) batch.push(e)
    const end = index === events.length - 1
    if (batch.length < pageSize && !end) continue
    const page = await resolve(stripe, batch, lastStates, signal)
    const position = positionAt(events, index, cursor)
    const next: EventsCursor = {
      ...position,
      coveredUntil: end ? Math.max(position.created, coveredUntil) : position.created,
    }
    yield {
      customers: page.customers,
      skipped: skipped.splice(0).concat(page.skipped),
      cursor: next,
    }
    batch = []
  }
}

/** The cursor just after `events[index]`: its second, and every event of that second so far. */
function positionAt(events: EventRef[], index: number, previous: EventsCursor) {
  const created = events[index]?.created ?? previous.created
  const seen = created === previous.created ? [...previous.seen] : []
  for (let i = index; i >= 0 && events[i]?.created === created; i--) {
    const id = events[i]?.id
    if (id !== undefined) seen.push(id)
  }
  return { v: 1 as const, created, seen }
}

/** The current state of each changed customer; deleted ones from their customer.deleted event. */
async function resolve(
  stripe: Stripe,
  batch: EventRef[],
  lastStates: Map<string, unknown>,
  signal?: AbortSignal,
): Promise<{ customers: SourceCustomer[]; skipped: SkippedRecord[] }> {
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  for (const ref of batch) {
    let state = ref.deleted ? lastStates.get(ref.customerId) : undefined
    if (state === undefined) {
      const current = await retrieve(stripe, ref.customerId, signal)
      if (current === null) {
        skipped.push({
          externalId: ref.customerId,
          reason: `Stripe no longer has customer ${ref.customerId}; its changes were skipped.`,
        })
        continue
      }
      // Deleted after the feed was read: its customer.deleted event comes with the next run.
      if (stripeDeletedCustomer.safeParse(current).success) continue
      state = current
    }
    const mapped = mapStripeCustomer(state, { deleted: ref.deleted })
    if (mapped.customer) customers.push(mapped.customer)
    skipped.push(...mapped.skipped)
  }
  return { customers, skipped }
}

async function retrieve(stripe: Stripe, id: string, signal?: AbortSignal): Promise<unknown> {
  try {
    return await call(signal, () => stripe.customers.retrieve(id, { expand: ['tax_ids'] }))
  } catch (error) {
    if (error instanceof SourceError && error.kind === 'not_found') return null
    throw error
  }
}

function mapAll(data: unknown[]): { customers: SourceCustomer[]; skipped: SkippedRecord[] } {
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  for (const raw of data) {
    const mapped = mapStripeCustomer(raw)
    if (mapped.customer) customers.push(mapped.customer)
    skipped.push(...mapped.skipped)
  }
  return { customers, skipped }
}

function readList(response: unknown) {
  const list = stripeList.safeParse(response)
  if (list.success) return list.data
  throw new SourceError('temporary', 'the list it answered could not be read', {
    cause: list.error,
  })
}

function lastId(data: unknown[]): string | null {
  const last = data.at(-1)
  if (typeof last !== 'object' || last === null) return null
  const id = (last as { id?: unknown }).id
  return typeof id === 'string' ? id : null
}

/**
 * The Date header of an answer. The SDK types `lastResponse.headers` as a plain object, but with
 * the fetch client it is the fetch Headers instance; both are read.
 */
function dateOf(headers: unknown): string | undefined {
  if (headers instanceof Headers) return headers.get('date') ?? undefined
  const value = (headers as Record<string, unknown> | undefined)?.date
  return typeof value === 'string' ? value : undefined
}
