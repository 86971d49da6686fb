import { createHash } from 'node:crypto'
import { FullSyncRequiredError, serverSeconds } from '../common.ts'
import { SourceError, type SkippedRecord, type SourceCustomer, type SourcePage } from '../types.ts'
import type { ZuoraClient } from './client.ts'
import { mapZuoraAccount } from './map.ts'
import {
  changesCursor,
  fullCursor,
  zuoraList,
  type ChangesCursor,
  type StreamPosition,
} from './schemas.ts'

/** The object query's largest page. */
export const pageSize = 99
/** Margin between Zuora's clock in its Date header and the updatedDate it writes. */
const clockMarginSeconds = 60
const accountsPath = '/object-query/accounts'
const contactsPath = '/object-query/contacts'
/** The account with its Bill To and Sold To, so the main contact is there even alone. */
const expand: [string, string][] = [
  ['expand[]', 'billTo'],
  ['expand[]', 'soldTo'],
]

/** Unix seconds as the object query's filters take a time. */
export const zuoraTime = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00')

/**
 * Every live account (not `Canceled`), oldest change first, with all its contacts. The last
 * page's cursor starts both streams of the next incremental run at the time this one began (less
 * a margin), so what changed while it was reading is read again.
 */
export async function* listAll(client: ZuoraClient, cursor: unknown): AsyncGenerator<SourcePage> {
  const resumed = fullCursor.safeParse(cursor)
  let nextPage = resumed.success ? resumed.data.full.nextPage : undefined
  let startedAt = resumed.success ? resumed.data.full.startedAt : null
  for (;;) {
    const answer = await client.get(accountsPath, [
      ['pageSize', String(pageSize)],
      ['filter[]', 'status.NE:Canceled'],
      ['sort[]', 'updatedDate.asc'],
      ...expand,
      ...(nextPage === undefined ? [] : [['cursor', nextPage] as [string, string]]),
    ])
    startedAt ??= serverSeconds(answer.date) - clockMarginSeconds
    const list = readList(answer.body)
    const page = await withContacts(client, list.data)
    if (list.nextPage) {
      nextPage = list.nextPage
      yield { ...page, cursor: { v: 1, full: { nextPage, startedAt } } }
      continue
    }
    const next: ChangesCursor = {
      v: 1,
      accounts: { at: startedAt, seen: {} },
      contacts: { at: startedAt, seen: {} },
    }
    yield { ...page, cursor: next }
    return
  }
}

/**
 * What changed since the cursor, oldest change first: accounts updated since their mark
 * (canceled ones come archived), then the accounts of the contacts updated since theirs (a
 * contact's change does not touch its account). Records changed in the same second can straddle
 * a page or a run, so each stream keeps its second and a digest of each record applied in it:
 * the next run asks for that second again and drops only what it already applied.
 */
export async function* listChanges(
  client: ZuoraClient,
  rawCursor: unknown,
): AsyncGenerator<SourcePage> {
  const from = readCursor(rawCursor)
  let position: ChangesCursor = structuredClone(from)
  /** Accounts this run already brought, and when (Zuora's clock) their contacts were read. */
  const brought = new Map<string, number>()
  /** An account read twice in a run (its contact changed too) is reported once. */
  const reported = new Set<string>()
  const once = (page: Omit<SourcePage, 'cursor'>) => ({
    customers: page.customers,
    skipped: page.skipped.filter((record) => {
      const key = `${record.externalId ?? ''}\n${record.reason}`
      if (reported.has(key)) return false
      reported.add(key)
      return true
    }),
  })

  let nextPage: string | undefined
  for (;;) {
    const answer = await client.get(accountsPath, [
      ['pageSize', String(pageSize)],
      ['filter[]', `updatedDate.GT:${zuoraTime(from.accounts.at - 1)}`],
      ['sort[]', 'updatedDate.asc'],
      ...expand,
      ...(nextPage === undefined ? [] : [['cursor', nextPage] as [string, string]]),
    ])
    const list = readList(answer.body)
    const fresh = list.data.filter((item) => !applied(from.accounts, stamp(item)))
    const page = await withContacts(client, fresh, brought)
    for (const item of list.data)
      position = { ...position, accounts: advance(position.accounts, stamp(item)) }
    yield { ...once(page), cursor: position }
    if (!list.nextPage) break
    nextPage = list.nextPage
  }

  nextPage = undefined
  for (;;) {
    const answer = await client.get(contactsPath, [
      ['pageSize', String(pageSize)],
      ['filter[]', `updatedDate.GT:${zuoraTime(from.contacts.at - 1)}`],
      ['sort[]', 'updatedDate.asc'],
      ...(nextPage === undefined ? [] : [['cursor', nextPage] as [string, string]]),
    ])
    const list = readList(answer.body)
    const fresh = list.data.filter((item) => !applied(from.contacts, stamp(item)))
    const accountIds = new Set<string>()
    for (const item of fresh) {
      const { at } = stamp(item)
      const accountId = (item as { accountId?: unknown } | null)?.accountId
      if (typeof accountId !== 'string') continue
      // Already brought by this run, its contacts read after this change: nothing to add.
      const readAt = brought.get(accountId)
      if (readAt !== undefined && at !== null && at < readAt) continue
      accountIds.add(accountId)
    }
    const page = await accountsById(client, [...accountIds], brought)
    for (const item of list.data)
      position = { ...position, contacts: advance(position.contacts, stamp(item)) }
    if (fresh.length > 0) yield { ...once(page), cursor: position }
    if (!list.nextPage) return
    nextPage = list.nextPage
  }
}

function readCursor(rawCursor: unknown): ChangesCursor {
  if (rawCursor === null || rawCursor === undefined) {
    throw new FullSyncRequiredError('Nothing was synced from Zuora yet: a full sync comes first.')
  }
  if (fullCursor.safeParse(rawCursor).success) {
    throw new FullSyncRequiredError(
      'The last full sync from Zuora did not finish: a full sync is needed before changes can be followed again.',
    )
  }
  const parsed = changesCursor.safeParse(rawCursor)
  if (!parsed.success) {
    throw new FullSyncRequiredError(
      'The saved Zuora sync position is not one Roster can resume: a full sync is needed.',
    )
  }
  return parsed.data
}

interface Stamp {
  id: string | null
  at: number | null
  digest: string
}

/** A record's id, updatedDate (unix seconds) and digest, read leniently (for the cursor only). */
function stamp(item: unknown): Stamp {
  const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>
  const id = typeof record.id === 'string' ? record.id : null
  const time = typeof record.updatedDate === 'string' ? Date.parse(record.updatedDate) : Number.NaN
  const digest = createHash('sha256').update(JSON.stringify(item)).digest('base64url').slice(0, 16)
  return { id, at: Number.isNaN(time) ? null : Math.floor(time / 1000), digest }
}

/** Already applied: read at the mark's second, in the same state. */
function applied(mark: StreamPosition, { id, at, digest }: Stamp): boolean {
  return at === mark.at && id !== null && mark.seen[id] === digest
}

function advance(position: StreamPosition, { id, at, digest }: Stamp): StreamPosition {
  if (id === null || at === null || at < position.at) return position
  const seen = at > position.at ? {} : position.seen
  return { at, seen: { ...seen, [id]: digest } }
}

/** The accounts of the ids (any status), with their contacts. */
async function accountsById(
  client: ZuoraClient,
  ids: string[],
  brought: Map<string, number>,
): Promise<Omit<SourcePage, 'cursor'>> {
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  for (let start = 0; start < ids.length; start += pageSize) {
    const chunk = ids.slice(start, start + pageSize)
    let nextPage: string | undefined
    for (;;) {
      const answer = await client.get(accountsPath, [
        ['pageSize', String(pageSize)],
        ['filter[]', `id.IN:[${chunk.join(',')}]`],
        ...expand,
        ...(nextPage === undefined ? [] : [['cursor', nextPage] as [string, string]]),
      ])
      const list = readList(answer.body)
      const page = await withContacts(client, list.data, brought)
      customers.push(...page.customers)
      skipped.push(...page.skipped)
      if (!list.nextPage) break
      nextPage = list.nextPage
    }
  }
  return { customers, skipped }
}

/** Maps a page of accounts with every contact of theirs, read in as few calls as Zuora allows. */
async function withContacts(
  client: ZuoraClient,
  accounts: unknown[],
  brought?: Map<string, number>,
): Promise<Omit<SourcePage, 'cursor'>> {
  const ids = accounts
    .map((raw) => (raw as { id?: unknown } | null)?.id)
    .filter((id): id is string => typeof id === 'string' && id !== '')
  const { byAccount, readAt } = await contactsOf(client, ids)
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  for (const raw of accounts) {
    const id = (raw as { id?: unknown } | null)?.id
    const mapped = mapZuoraAccount(raw, typeof id === 'string' ? (byAccount.get(id) ?? []) : [])
    if (mapped.customer) {
      customers.push(mapped.customer)
      brought?.set(mapped.customer.externalId, readAt)
    }
    skipped.push(...mapped.skipped)
  }
  return { customers, skipped }
}

/** Every contact of the accounts, page after page, by account; and Zuora's time of the read. */
async function contactsOf(client: ZuoraClient, ids: string[]) {
  const byAccount = new Map<string, unknown[]>()
  let readAt = 0
  if (ids.length === 0) return { byAccount, readAt }
  let nextPage: string | undefined
  for (;;) {
    const answer = await client.get(contactsPath, [
      ['pageSize', String(pageSize)],
      ['filter[]', `accountId.IN:[${ids.join(',')}]`],
      ...(nextPage === undefined ? [] : [['cursor', nextPage] as [string, string]]),
    ])
    readAt ||= serverSeconds(answer.date)
    const list = readList(answer.body)
    for (const item of list.data) {
      const accountId = (item as { accountId?: unknown } | null)?.accountId
      if (typeof accountId !== 'string') continue
      byAccount.set(accountId, [...(byAccount.get(accountId) ?? []), item])
    }
    if (!list.nextPage) return { byAccount, readAt }
    nextPage = list.nextPage
  }
}

function readList(body: unknown) {
  const list = zuoraList.safeParse(body)
  if (list.success) return list.data
  throw new SourceError('temporary', 'the list it answered could not be read', {
    cause: list.error,
  })
}
