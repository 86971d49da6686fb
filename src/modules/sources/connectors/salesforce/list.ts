import { z } from 'zod'
import { FullSyncRequiredError } from '../common.ts'
import type { SkippedRecord, SourcePage } from '../types.ts'
import type { SalesforceApi } from './client.ts'
import { stamp, toAccount } from './map.ts'
import {
  queryResult,
  sfAccount,
  sfChange,
  sfContact,
  type SalesforceSettings,
  type SfAccount,
} from './schemas.ts'

/**
 * Reading Salesforce: a full run lists every Account with its Contacts and AccountContactRoles
 * (child queries), page by page through `nextRecordsUrl`; an incremental run finds the accounts
 * whose Account, Contact or AccountContactRole rows changed since the cursor's SystemModstamp —
 * deleted rows included, through queryAll and `IsDeleted` — and lists those accounts again,
 * whole. Its cursor is the latest SystemModstamp seen, so the next run starts there (changes
 * of the same instant are read twice, which the mirror makes harmless).
 */

export interface SalesforceCursor {
  /** The latest SystemModstamp seen, as SOQL's datetime literal (ISO 8601, UTC). */
  since: string | null
  /** A full run's next page, to resume after a crash; null once the listing is done. */
  next?: string | null
}

const cursorSchema = z.object({
  since: z.string().nullable(),
  next: z.string().nullish(),
})

/** Deleted rows stay in the recycle bin 15 days: an older cursor misses deletions. */
const DELETED_KEPT_MS = 15 * 24 * 60 * 60_000

const contactFields =
  'Id, FirstName, LastName, Email, Phone, MobilePhone, Title, HasOptedOutOfEmail, CreatedDate, SystemModstamp'
const roleFields = 'ContactId, Role, IsPrimary, SystemModstamp'

export function accountQuery(settings: SalesforceSettings, where: string): string {
  const match = settings.matchField ?? 'AccountNumber'
  const fields = ['Id', 'Name', 'OwnerId', 'Owner.Email', 'Owner.IsActive', 'SystemModstamp']
  if (!fields.includes(match)) fields.splice(2, 0, match)
  return (
    `SELECT ${fields.join(', ')}, ` +
    `(SELECT ${contactFields} FROM Contacts ORDER BY CreatedDate, Id), ` +
    `(SELECT ${roleFields} FROM AccountContactRoles) ` +
    `FROM Account${where ? ` WHERE ${where}` : ''} ORDER BY Id`
  )
}

const accountPage = queryResult(sfAccount)
const changePage = queryResult(sfChange)
const contactPage = queryResult(sfContact)

/** The later of two SOQL datetimes. */
function later(a: string | null, b: string | null | undefined): string | null {
  if (!b) return a
  const iso = new Date(stamp(b)).toISOString().replace(/\.\d{3}Z$/, 'Z')
  return a === null || iso > a ? iso : a
}

function readCursor(cursor: unknown): SalesforceCursor | null {
  const parsed = cursorSchema.safeParse(cursor)
  return parsed.success ? parsed.data : null
}

/** An account's contacts past the first page of its child query. */
async function allContacts(api: SalesforceApi, record: SfAccount): Promise<SfAccount> {
  let contacts = record.Contacts
  while (contacts && !contacts.done && contacts.nextRecordsUrl) {
    const more = await api.get(contacts.nextRecordsUrl, contactPage)
    contacts = { ...more, records: [...contacts.records, ...more.records] }
  }
  return contacts === record.Contacts ? record : { ...record, Contacts: contacts }
}

async function pageOf(
  api: SalesforceApi,
  settings: SalesforceSettings,
  records: SfAccount[],
  since: string | null,
): Promise<{ page: Omit<SourcePage, 'cursor'>; since: string | null }> {
  const notes: SkippedRecord[] = []
  let latest = since
  const accounts = []
  for (const raw of records) {
    const record = await allContacts(api, raw)
    latest = later(latest, record.SystemModstamp)
    for (const c of record.Contacts?.records ?? []) latest = later(latest, c.SystemModstamp)
    for (const r of record.AccountContactRoles?.records ?? [])
      latest = later(latest, r.SystemModstamp)
    accounts.push(toAccount(record, settings, notes))
  }
  return { page: { customers: [], accounts, skipped: [], notes }, since: latest }
}

export async function* listAll(
  api: SalesforceApi,
  settings: SalesforceSettings,
  cursor: unknown,
): AsyncGenerator<SourcePage> {
  const resumed = readCursor(cursor)
  let since = resumed?.since ?? null
  let result = resumed?.next
    ? await api.get(resumed.next, accountPage)
    : await api.query(accountQuery(settings, ''), accountPage)
  for (;;) {
    const next = result.done ? null : (result.nextRecordsUrl ?? null)
    const read = await pageOf(api, settings, result.records, since)
    since = read.since
    yield { ...read.page, cursor: { since, next } satisfies SalesforceCursor }
    if (!next) return
    result = await api.get(next, accountPage)
  }
}

/** Every record of a query, following `nextRecordsUrl`. */
async function* rows<T>(
  api: SalesforceApi,
  soql: string,
  schema: z.ZodType<{ done: boolean; nextRecordsUrl?: string; records: T[] }>,
  all: boolean,
): AsyncGenerator<T> {
  let result = await api.query(soql, schema, all)
  for (;;) {
    yield* result.records
    if (result.done || !result.nextRecordsUrl) return
    result = await api.get(result.nextRecordsUrl, schema)
  }
}

/** How many accounts one `Id IN (…)` query asks for. */
const IDS_PER_QUERY = 200

export async function* listChanges(
  api: SalesforceApi,
  settings: SalesforceSettings,
  cursor: unknown,
  now = Date.now(),
): AsyncGenerator<SourcePage> {
  const from = readCursor(cursor)
  if (!from || from.next) {
    throw new FullSyncRequiredError('no finished listing to continue from')
  }
  const since = from.since ?? '1970-01-01T00:00:00Z'
  if (from.since && Date.parse(from.since) < now - DELETED_KEPT_MS) {
    throw new FullSyncRequiredError(
      'the last sync is older than the 15 days Salesforce keeps deletions',
    )
  }
  let latest: string | null = from.since
  const changed = new Set<string>()
  const deleted = new Map<string, string>()
  const after = `SystemModstamp >= ${since}`
  for await (const row of rows(
    api,
    `SELECT Id, Name, IsDeleted, SystemModstamp FROM Account WHERE ${after}`,
    changePage,
    true,
  )) {
    latest = later(latest, row.SystemModstamp)
    if (row.IsDeleted) deleted.set(row.Id, row.Name ?? row.Id)
    else changed.add(row.Id)
  }
  for (const object of ['Contact', 'AccountContactRole']) {
    const soql = `SELECT Id, AccountId, IsDeleted, SystemModstamp FROM ${object} WHERE AccountId != null AND ${after}`
    for await (const row of rows(api, soql, changePage, true)) {
      latest = later(latest, row.SystemModstamp)
      if (row.AccountId && !deleted.has(row.AccountId)) changed.add(row.AccountId)
    }
  }
  const ids = [...changed]
  const pages: Omit<SourcePage, 'cursor'>[] = []
  if (deleted.size > 0) {
    pages.push({
      customers: [],
      skipped: [],
      accounts: [...deleted].map(([id, name]) => ({
        externalId: id,
        name,
        matchValue: null,
        ownerEmail: null,
        deleted: true,
        contacts: [],
      })),
    })
  }
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids
      .slice(i, i + IDS_PER_QUERY)
      .map((id) => `'${id.replace(/[^A-Za-z0-9]/g, '')}'`)
    const records: SfAccount[] = []
    for await (const record of rows(
      api,
      accountQuery(settings, `Id IN (${chunk.join(', ')})`),
      accountPage,
      false,
    )) {
      records.push(record)
    }
    const read = await pageOf(api, settings, records, latest)
    latest = read.since
    pages.push(read.page)
  }
  // Every page but the last keeps the old cursor: a run stopped half-way starts again.
  for (let i = 0; i < pages.length; i++) {
    const page = pages[i] ?? { customers: [], skipped: [] }
    const last = i === pages.length - 1
    yield { ...page, cursor: { since: last ? latest : from.since } satisfies SalesforceCursor }
  }
  if (pages.length === 0)
    yield { customers: [], accounts: [], skipped: [], cursor: { since: latest } }
}
