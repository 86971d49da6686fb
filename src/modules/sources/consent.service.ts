import { createHash, randomBytes } from 'node:crypto'
import { and, eq, gt } from 'drizzle-orm'
import { z } from 'zod'
import type { ConsentChoice, ConsentStart } from '../../contracts/sources.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import type { Db } from '../../platform/db/client.ts'
import { oauthConsents } from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { findConnectionRow } from './connections.queries.ts'
import {
  insertConnection,
  openCredentials,
  prepareConnection,
  prepareReconnection,
  updateConnection,
  checkBaseUrl,
  type BaseUrlRule,
  type Keys,
} from './connections.service.ts'
import { connectorFor } from './connectors/index.ts'
import { SourceError, type Connector, type Consent } from './connectors/types.ts'
import { systemNames, type SourceSystem } from './systems.ts'

/**
 * The OAuth2 authorization-code flow, the same for every system that declares `consent`: Roster
 * opens a consent (state, PKCE verifier, the client secret, all kept server-side), sends the
 * admin to the system's consent page, and its callback turns the code into a connection created
 * exactly as `POST /connections` does (credentials checked, first full sync queued).
 */

/** How long the admin has on the system's consent page, then to pick a tenant. */
const consentMinutes = 10

type ConsentRow = typeof oauthConsents.$inferSelect

/** What a consent keeps encrypted: before the callback, then awaiting a tenant. */
const pendingSecrets = z.object({
  clientId: z.string(),
  clientSecret: z.string(),
  codeVerifier: z.string(),
  /** Secrets given with the client's (a webhook key): kept for the connection. */
  extra: z.record(z.string(), z.unknown()),
})
const chosenSecrets = z.object({
  outcome: z.object({ settings: z.unknown(), secrets: z.unknown() }),
})

const hashOf = (state: string): string => createHash('sha256').update(state).digest('hex')
const vaultContext = (row: { organizationId: string; id: string }): string =>
  `consent/${row.organizationId}/${row.id}`
const expiry = (): Date => new Date(Date.now() + consentMinutes * 60_000)

/** Roster's callback for the system, as registered with it. */
export const redirectUri = (publicUrl: string, system: SourceSystem): string =>
  `${publicUrl}/oauth/callback/${system}`

function consentOf(connector: Connector): Consent<unknown, unknown> {
  if (connector.descriptor.auth === 'oauth2_authorization_code' && connector.consent) {
    return connector.consent
  }
  const name = connector.descriptor.label
  throw new AppError(
    'validation_failed',
    `${name} is connected with its credentials, not by consent: use POST /connections.`,
    [{ path: 'system', message: 'No consent flow.' }],
  )
}

const required = (value: unknown, key: string, name: string): string => {
  if (typeof value === 'string' && value.trim() !== '') return value.trim()
  const label = key === 'clientId' ? 'client id' : 'client secret'
  throw new AppError('validation_failed', `Enter the ${label} of your ${name} app.`, [
    { path: `secrets.${key}`, message: `Enter the ${label}.` },
  ])
}

/**
 * Opens a consent and answers the system's consent page to send the admin to. With
 * `connectionId` it is a reconnection: the connection's settings and client stay unless given.
 */
export async function startConsent(
  db: Db,
  keys: Keys,
  scope: Scope,
  input: ConsentStart,
  publicUrl: string,
  rule: BaseUrlRule,
): Promise<{ authorizeUrl: string }> {
  const connector = connectorFor(keys.connectors, input.system)
  const consent = consentOf(connector)
  const name = systemNames[input.system]
  let settings: Record<string, unknown> = { ...input.settings }
  let given: Record<string, unknown> = { ...input.secrets }
  let saved: unknown
  if (input.connectionId) {
    const row = await findConnectionRow(db, scope.organizationId, input.connectionId)
    if (row.system !== input.system) throw notFound('Connection')
    saved = row.settings
    settings = { ...(row.settings as Record<string, unknown>), ...settings }
    try {
      const opened = await openCredentials(keys, row)
      const current = opened.secrets as Record<string, unknown>
      given = { clientId: current.clientId, clientSecret: current.clientSecret, ...given }
    } catch {
      // Unreadable credentials: the admin gives the client again.
    }
  }
  const known = new Set(connector.descriptor.settings.map((field) => field.key))
  const unknown = Object.keys(settings).find((key) => !known.has(key))
  if (unknown) {
    throw new AppError('validation_failed', `${name} takes no setting "${unknown}".`, [
      { path: `settings.${unknown}`, message: 'Unknown setting.' },
    ])
  }
  checkBaseUrl(settings, rule, saved)
  const { clientId: rawId, clientSecret: rawSecret, ...extra } = given
  const clientId = required(rawId, 'clientId', name)
  const clientSecret = required(rawSecret, 'clientSecret', name)
  const state = randomBytes(32).toString('base64url')
  const codeVerifier = randomBytes(48).toString('base64url')
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url')
  const id = crypto.randomUUID()
  const credentials = await keys.vault.encrypt(
    JSON.stringify({ clientId, clientSecret, codeVerifier, extra }),
    vaultContext({ organizationId: scope.organizationId, id }),
  )
  await db.insert(oauthConsents).values({
    organizationId: scope.organizationId,
    id,
    stateHash: hashOf(state),
    system: input.system,
    name: input.name ?? null,
    connectionId: input.connectionId ?? null,
    actor: scope.actor,
    settings,
    credentials,
    expiresAt: expiry(),
  })
  const authorizeUrl = await consent.authorizeUrl({
    settings,
    clientId,
    redirectUri: redirectUri(publicUrl, input.system),
    state,
    codeChallenge,
  })
  return { authorizeUrl }
}

/** Where the web app's Integrations page picks up after a consent. */
const integrations = (query: Record<string, string>): string =>
  `/settings/integrations?${new URLSearchParams(query).toString()}`

/**
 * `GET /oauth/callback/{system}`: uses the consent its state names (once, before it expires),
 * turns the code into credentials and creates (or reconnects) the connection. Answers the web
 * app's address to send the admin back to, saying what happened; never throws.
 */
export async function receiveCallback(
  db: Db,
  queue: Queue,
  keys: Keys,
  system: SourceSystem,
  query: Record<string, string>,
  publicUrl: string,
): Promise<string> {
  const name = systemNames[system]
  const refused = (message: string) => integrations({ consent: 'error', message })
  const state = query.state ?? ''
  // Used at once: a replayed state finds nothing.
  const [row] = await db
    .update(oauthConsents)
    .set({ status: 'done' })
    .where(
      and(
        eq(oauthConsents.stateHash, hashOf(state)),
        eq(oauthConsents.system, system),
        eq(oauthConsents.status, 'pending'),
        gt(oauthConsents.expiresAt, new Date()),
      ),
    )
    .returning()
  if (!row || state === '') {
    return refused(
      `This answer from ${name} does not match a connection under way (it expired or was already used): connect to ${name} again.`,
    )
  }
  if (query.error !== undefined) {
    return refused(
      query.error === 'access_denied'
        ? `Access to ${name} was not allowed, so nothing was connected.`
        : `${name} answered "${query.error}"${query.error_description ? ` (${query.error_description})` : ''}: nothing was connected.`,
    )
  }
  try {
    const connector = connectorFor(keys.connectors, system)
    const consent = consentOf(connector)
    const given = pendingSecrets.parse(
      JSON.parse(await keys.vault.decrypt(row.credentials, vaultContext(row))),
    )
    const outcome = await consent.complete({
      settings: row.settings as Record<string, unknown>,
      clientId: given.clientId,
      clientSecret: given.clientSecret,
      redirectUri: redirectUri(publicUrl, system),
      codeVerifier: given.codeVerifier,
      query,
      signal: AbortSignal.timeout(30_000),
    })
    const secrets = { ...given.extra, ...(outcome.secrets as Record<string, unknown>) }
    if (outcome.tenants && outcome.tenants.length > 1) {
      const credentials = await keys.vault.encrypt(
        JSON.stringify({ outcome: { settings: outcome.settings, secrets } }),
        vaultContext(row),
      )
      await db
        .update(oauthConsents)
        .set({ status: 'choosing', credentials, tenants: outcome.tenants, expiresAt: expiry() })
        .where(
          and(eq(oauthConsents.organizationId, row.organizationId), eq(oauthConsents.id, row.id)),
        )
      return integrations({ consent: 'choose', id: row.id })
    }
    const id = await connect(db, queue, keys, row, outcome.settings, secrets)
    return integrations({ consent: 'connected', connection: id })
  } catch (error) {
    if (error instanceof AppError) return refused(error.message)
    if (error instanceof SourceError) {
      return refused(`${name} refused to connect Roster (${error.message}): connect again.`)
    }
    throw error
  }
}

/** The tenants a consent reaches, for the admin to pick from. */
export async function consentChoice(
  db: Db,
  organizationId: string,
  id: string,
): Promise<ConsentChoice> {
  const row = await choosing(db, organizationId, id)
  return { id: row.id, system: row.system, tenants: row.tenants ?? [] }
}

/** Creates (or reconnects) the connection with the tenant the admin picked. */
export async function pickTenant(
  db: Db,
  queue: Queue,
  keys: Keys,
  scope: Scope,
  id: string,
  tenantId: string,
): Promise<string> {
  const row = await choosing(db, scope.organizationId, id)
  const tenant = row.tenants?.find((t) => t.id === tenantId)
  if (!tenant) {
    throw new AppError('validation_failed', 'Choose one of the organisations listed.', [
      { path: 'tenantId', message: 'Not one of the organisations this consent reaches.' },
    ])
  }
  const [claimed] = await db
    .update(oauthConsents)
    .set({ status: 'done' })
    .where(
      and(
        eq(oauthConsents.organizationId, scope.organizationId),
        eq(oauthConsents.id, id),
        eq(oauthConsents.status, 'choosing'),
      ),
    )
    .returning()
  if (!claimed) throw notFound('Consent')
  const consent = consentOf(connectorFor(keys.connectors, row.system))
  const { outcome } = chosenSecrets.parse(
    JSON.parse(await keys.vault.decrypt(claimed.credentials, vaultContext(claimed))),
  )
  const settings = consent.choose ? consent.choose(outcome.settings, tenantId) : outcome.settings
  return connect(db, queue, keys, claimed, settings, outcome.secrets)
}

async function choosing(db: Db, organizationId: string, id: string): Promise<ConsentRow> {
  const [row] = await db
    .select()
    .from(oauthConsents)
    .where(
      and(
        eq(oauthConsents.organizationId, organizationId),
        eq(oauthConsents.id, id),
        eq(oauthConsents.status, 'choosing'),
        gt(oauthConsents.expiresAt, new Date()),
      ),
    )
  if (!row) {
    throw new AppError(
      'not_found',
      'This choice of organisation expired or was already made: connect again.',
    )
  }
  return row
}

/** A consent's base URL was checked when it started (`startConsent`), by the rule of then. */
const consented: BaseUrlRule = { allowBaseUrl: true }

/** The connection, created as `POST /connections` does, or reconnected as `PATCH` does. */
async function connect(
  db: Db,
  queue: Queue,
  keys: Keys,
  row: ConsentRow,
  settings: unknown,
  secrets: unknown,
): Promise<string> {
  const scope: Scope = { organizationId: row.organizationId, actor: row.actor }
  const given = {
    settings: settings as Record<string, unknown>,
    secrets: secrets as Record<string, unknown>,
  }
  if (row.connectionId) {
    const existing = await findConnectionRow(db, row.organizationId, row.connectionId)
    const reconnection = await prepareReconnection(keys, existing, given, consented)
    await db.transaction((tx) => updateConnection(tx, scope, existing.id, given, reconnection))
    return existing.id
  }
  const prepared = await prepareConnection(
    keys,
    row.organizationId,
    { system: row.system, ...(row.name ? { name: row.name } : {}), ...given },
    consented,
  )
  const created = await db.transaction((tx) => insertConnection(tx, queue, scope, prepared))
  return created.id
}
