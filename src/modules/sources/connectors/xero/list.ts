import { FullSyncRequiredError } from '../common.ts'
import {
  SourceError,
  type ListRequest,
  type SkippedRecord,
  type SourceCustomer,
  type SourcePage,
} from '../types.ts'
import { getContacts } from './client.ts'
import { mapXeroContact } from './map.ts'
import {
  changesCursor,
  fullCursor,
  xeroDate,
  type ChangesCursor,
  type XeroSecrets,
  type XeroSettings,
} from './schemas.ts'
import { tenantsOf } from './token.ts'

export const pageSize = 100
/** Margin between Xero's clock in its Date header and the UpdatedDateUTC it writes. */
const clockMarginSeconds = 60

type Request = ListRequest<XeroSettings, XeroSecrets>

/** The access token for the next call: refreshed (and stored by the engine) when due. */
async function accessToken(request: Request): Promise<string> {
  const secrets = (await request.currentSecrets?.()) ?? request.secrets
  if (!secrets.accessToken) {
    throw new SourceError('auth_revoked', 'no access token yet: the refresh token was not used')
  }
  return secrets.accessToken
}

/** The connection's organisation: its setting, else the only one the token reaches. */
export async function tenantOf(
  settings: XeroSettings,
  token: string,
  signal?: AbortSignal,
): Promise<string> {
  if (settings.tenantId) return settings.tenantId
  const tenants = await tenantsOf(settings, token, signal)
  const [only] = tenants
  if (!only) throw new SourceError('auth_revoked', 'the access reaches no Xero organisation')
  if (tenants.length > 1) {
    throw new SourceError(
      'bad_data',
      `the access reaches ${tenants.length} organisations (${tenants.map((t) => `${t.name}: ${t.id}`).join(', ')}); set tenantId to the one to sync`,
    )
  }
  return only.id
}

/**
 * Every live customer, page by page, oldest change first. The last page's cursor starts the next
 * incremental run at the time this one began (less a margin), so what changed while it read is
 * read again.
 */
export async function* listAll(request: Request): AsyncGenerator<SourcePage> {
  const { settings, signal } = request
  const resumed = fullCursor.safeParse(request.cursor)
  let page = resumed.success ? resumed.data.full.page : 1
  let startedAt = resumed.success ? resumed.data.full.startedAt : null
  let tenant: string | undefined
  for (;;) {
    const token = await accessToken(request)
    tenant ??= await tenantOf(settings, token, signal)
    const answer = await getContacts(
      settings,
      tenant,
      token,
      { page, pageSize, includeArchived: false },
      signal,
    )
    startedAt ??= answer.serverSeconds - clockMarginSeconds
    const mapped = mapAll(answer.contacts)
    if (answer.contacts.length >= pageSize) {
      page++
      yield { ...mapped, cursor: { v: 1, full: { page, startedAt } } }
      continue
    }
    const next: ChangesCursor = { v: 1, since: startedAt, seen: {} }
    yield { ...mapped, cursor: next }
    return
  }
}

/**
 * Contacts modified since the cursor (If-Modified-Since), archived ones included, oldest change
 * first. Xero's header counts whole seconds: the cursor keeps the second and the versions
 * already applied in it, so the next run asks for that second again and drops only those.
 */
export async function* listChanges(request: Request): AsyncGenerator<SourcePage> {
  const { settings, signal, cursor } = request
  if (cursor === null || cursor === undefined) {
    throw new FullSyncRequiredError('Nothing was synced from Xero yet: a full sync comes first.')
  }
  if (fullCursor.safeParse(cursor).success) {
    throw new FullSyncRequiredError(
      'The last full sync from Xero did not finish: a full sync is needed before changes can be followed again.',
    )
  }
  const parsed = changesCursor.safeParse(cursor)
  if (!parsed.success) {
    throw new FullSyncRequiredError(
      'The saved Xero sync position is not one Roster can resume: a full sync is needed.',
    )
  }
  const from = parsed.data
  let position: ChangesCursor = { ...from, seen: { ...from.seen } }
  let tenant: string | undefined
  for (let page = 1; ; page++) {
    const token = await accessToken(request)
    tenant ??= await tenantOf(settings, token, signal)
    const answer = await getContacts(
      settings,
      tenant,
      token,
      { page, pageSize, includeArchived: true, modifiedSince: new Date(from.since * 1000) },
      signal,
    )
    const fresh = answer.contacts.filter((raw) => {
      const { id, ms } = stamp(raw)
      return !(id !== null && ms !== null && from.seen[id] === ms)
    })
    const mapped = mapAll(fresh)
    for (const raw of answer.contacts) position = advance(position, stamp(raw))
    yield { ...mapped, cursor: position }
    if (answer.contacts.length < pageSize) return
  }
}

function advance(position: ChangesCursor, { id, ms }: ReturnType<typeof stamp>): ChangesCursor {
  if (id === null || ms === null) return position
  const second = Math.floor(ms / 1000)
  if (second < position.since) return position
  const seen = second > position.since ? {} : { ...position.seen }
  return { v: 1, since: second, seen: { ...seen, [id]: ms } }
}

/** A contact's id and UpdatedDateUTC, read leniently (for the cursor only). */
function stamp(raw: unknown): { id: string | null; ms: number | null } {
  const c = raw as { ContactID?: unknown; UpdatedDateUTC?: unknown } | null
  const id = typeof c?.ContactID === 'string' ? c.ContactID : null
  const ms = typeof c?.UpdatedDateUTC === 'string' ? xeroDate(c.UpdatedDateUTC) : null
  return { id, ms }
}

function mapAll(raws: unknown[]): { customers: SourceCustomer[]; skipped: SkippedRecord[] } {
  const customers: SourceCustomer[] = []
  const skipped: SkippedRecord[] = []
  for (const raw of raws) {
    const mapped = mapXeroContact(raw)
    if (mapped.customer) customers.push(mapped.customer)
    skipped.push(...mapped.skipped)
  }
  return { customers, skipped }
}
