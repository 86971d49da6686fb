import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { z } from 'zod'
import type { ConnectionCreate, ConnectionPatch } from '../../contracts/sources.ts'
import type { Vault } from '../../platform/auth/encryption.ts'
import type { Tx } from '../../platform/db/client.ts'
import { connections, contacts, customers, organizations } from '../../platform/db/schema/index.ts'
import { AppError, notFound, type ErrorDetail } from '../../platform/errors.ts'
import { outboundRefusal } from '../../platform/http/outbound.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { actorValues, auditInsert, customerSnapshot } from '../audit/audit.sql.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import { connectorFor, type Connectors } from './connectors/index.ts'
import { SourceError, type Connector } from './connectors/types.ts'
import { lockConnection, requestRun, type ConnectionRow } from './sync/runs.service.ts'
import { systemNames, type SourceSystem } from './systems.ts'

/** Credentials are bound to their connection: a ciphertext moved to another one does not open. */
const secretsContext = (organizationId: string, id: string): string => `${organizationId}/${id}`

function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string, system: string): T {
  const parsed = schema.safeParse(value ?? {})
  if (parsed.success) return parsed.data
  const details: ErrorDetail[] = parsed.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }))
  throw new AppError(
    'validation_failed',
    `These ${where} are not what ${system} needs: ${details.map((d) => `${d.path ?? where}: ${d.message}`).join('; ')}`,
    details,
  )
}

/**
 * Asks the system whether it accepts the credentials; says what is wrong when it does not.
 * Systems whose tokens expire (OAuth2) refresh them first, and the check uses the fresh ones:
 * the returned secrets are the ones to store, as a refresh token may be good for one use only.
 */
export async function checkCredentials(
  connector: Connector,
  settings: unknown,
  secrets: unknown,
): Promise<unknown> {
  const name = connector.descriptor.label
  const again = {
    api_key: 'check the API key and try again',
    oauth2_authorization_code: `connect to ${name} again`,
    oauth2_client_credentials: 'check the client id and secret and try again',
    oauth1_token: 'check the tokens and try again',
  }[connector.descriptor.auth]
  try {
    const signal = AbortSignal.timeout(30_000)
    const fresh = (await connector.refreshSecrets?.(settings, secrets, signal)) ?? secrets
    await connector.check(settings, fresh, signal)
    return fresh
  } catch (error) {
    if (!(error instanceof SourceError)) throw error
    switch (error.kind) {
      case 'auth_revoked':
        throw new AppError(
          'validation_failed',
          `${name} refused these credentials (${error.message}); ${again}.`,
          [{ path: 'secrets', message: `Refused by ${name}.` }],
        )
      case 'not_found':
      case 'bad_data':
      case 'unverified':
        throw new AppError(
          'validation_failed',
          `${name} answered: ${error.message}; check the settings and try again.`,
          [{ path: 'settings', message: error.message }],
        )
      case 'rate_limited':
      case 'temporary':
        throw new AppError(
          'source_unavailable',
          `${name} could not check the credentials right now (${error.message}); try again in a moment.`,
        )
    }
  }
}

/** Who may give a connection a base URL of its own (a proxy or a test server). */
export interface BaseUrlRule {
  /**
   * The operator allowed it (ROSTER_ALLOW_BASE_URL=1), or the CLI on the server asks. Even then
   * a link-local or cloud metadata address is refused.
   */
  allowBaseUrl: boolean
}

/**
 * Checks a connection's base URL before anything is sent to it: refused unless allowed (a base
 * URL already saved on the connection stays), and never to a link-local or metadata address.
 */
export function checkBaseUrl(settings: unknown, rule: BaseUrlRule, saved?: unknown): void {
  const baseUrl = baseUrlOf(settings)
  if (baseUrl === undefined) return
  const refusal = outboundRefusal(baseUrl)
  if (refusal !== null) {
    throw new AppError('validation_failed', `The base URL ${refusal}.`, [
      { path: 'settings.baseUrl', message: `The base URL ${refusal}.` },
    ])
  }
  if (rule.allowBaseUrl || baseUrl === baseUrlOf(saved)) return
  const message =
    "This server does not take a base URL: Roster calls the system's own address. Its operator can allow other addresses with ROSTER_ALLOW_BASE_URL=1, or add the connection with roster connection add on the server."
  throw new AppError('forbidden', message, [{ path: 'settings.baseUrl', message }])
}

function baseUrlOf(settings: unknown): string | undefined {
  if (typeof settings !== 'object' || settings === null || !('baseUrl' in settings)) return
  const value = settings.baseUrl
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** What opens a connection's credentials: the vault, and the connector of each system. */
export interface Keys {
  vault: Vault
  connectors: Connectors
}

/** The connection's settings and secrets, decrypted and read with its connector's schemas. */
export async function openCredentials(
  { vault, connectors }: Keys,
  row: ConnectionRow,
): Promise<{ connector: Connector; settings: unknown; secrets: unknown }> {
  const connector = connectorFor(connectors, row.system)
  const name = systemNames[row.system]
  const plaintext = row.credentials
    ? await vault.decrypt(row.credentials, secretsContext(row.organizationId, row.id))
    : '{}'
  return {
    connector,
    settings: parseWith(connector.settings, row.settings, 'settings', name),
    secrets: parseWith(connector.secrets, JSON.parse(plaintext), 'secrets', name),
  }
}

/** Stores refreshed secrets (an OAuth2 token refresh). */
export async function storeSecrets(
  tx: Tx,
  vault: Vault,
  row: ConnectionRow,
  secrets: unknown,
): Promise<void> {
  const credentials = await vault.encrypt(
    JSON.stringify(secrets),
    secretsContext(row.organizationId, row.id),
  )
  await tx
    .update(connections)
    .set({ credentials })
    .where(and(eq(connections.organizationId, row.organizationId), eq(connections.id, row.id)))
}

export interface PreparedConnection {
  id: string
  system: SourceSystem
  name: string
  settings: unknown
  credentials: string
}

/**
 * Checks a new connection's settings and credentials with its system and encrypts the
 * credentials; done before the transaction that saves it, as it calls the system.
 */
export async function prepareConnection(
  { vault, connectors }: Keys,
  organizationId: string,
  input: ConnectionCreate,
  rule: BaseUrlRule,
): Promise<PreparedConnection> {
  const connector = connectorFor(connectors, input.system)
  const name = systemNames[input.system]
  const settings = parseWith(connector.settings, input.settings, 'settings', name)
  checkBaseUrl(settings, rule)
  const secrets = parseWith(connector.secrets, input.secrets, 'secrets', name)
  const id = randomUUID()
  const checked = await checkCredentials(connector, settings, secrets)
  const credentials = await vault.encrypt(
    JSON.stringify(checked),
    secretsContext(organizationId, id),
  )
  return { id, system: input.system, name: input.name ?? name, settings, credentials }
}

/**
 * Saves a prepared connection and queues its first (full) run. The organisation's first billing
 * connection becomes its contact source, unless contacts were disconnected.
 */
export async function insertConnection(
  tx: Tx,
  queue: Queue,
  scope: Scope,
  prepared: PreparedConnection,
): Promise<ConnectionRow> {
  const org = scope.organizationId
  const [row] = await tx
    .insert(connections)
    .values({
      organizationId: org,
      id: prepared.id,
      system: prepared.system,
      name: prepared.name,
      settings: prepared.settings,
      credentials: prepared.credentials,
    })
    .returning()
  if (!row) throw new Error('insert returned no row')
  if (prepared.system !== 'salesforce') {
    await tx
      .update(organizations)
      .set({ contactSourceConnectionId: row.id })
      .where(
        and(
          eq(organizations.id, org),
          sql`${organizations.contactSourceConnectionId} is null`,
          sql`${organizations.contactsDisconnectedAt} is null`,
        ),
      )
  }
  await requestRun(tx, queue, {
    organizationId: org,
    connectionId: row.id,
    full: true,
    trigger: scope.actor.kind === 'cli' ? 'cli' : 'manual',
  })
  return row
}

/**
 * What a PATCH must check with the system before saving: new settings or secrets (a
 * reconnection). Secrets given replace those of the same name; the others stay.
 */
export async function prepareReconnection(
  { vault, connectors }: Keys,
  row: ConnectionRow,
  patch: ConnectionPatch,
  rule: BaseUrlRule,
): Promise<{ settings: unknown; credentials: string } | undefined> {
  if (patch.settings === undefined && patch.secrets === undefined) return undefined
  const connector = connectorFor(connectors, row.system)
  const name = systemNames[row.system]
  let current: Record<string, unknown> = {}
  if (row.credentials) {
    try {
      const plaintext = await vault.decrypt(
        row.credentials,
        secretsContext(row.organizationId, row.id),
      )
      current = JSON.parse(plaintext) as Record<string, unknown>
    } catch {
      // Unreadable (the key changed): the new secrets stand alone.
    }
  }
  const settings = parseWith(connector.settings, patch.settings ?? row.settings, 'settings', name)
  checkBaseUrl(settings, rule, row.settings)
  const secrets = parseWith(connector.secrets, { ...current, ...patch.secrets }, 'secrets', name)
  const checked = await checkCredentials(connector, settings, secrets)
  const credentials = await vault.encrypt(
    JSON.stringify(checked),
    secretsContext(row.organizationId, row.id),
  )
  return { settings, credentials }
}

export async function updateConnection(
  tx: Tx,
  scope: Scope,
  id: string,
  patch: ConnectionPatch,
  reconnection: { settings: unknown; credentials: string } | undefined,
): Promise<ConnectionRow> {
  const row = await lockConnection(tx, scope.organizationId, id)
  if (!row) throw notFound('Connection')
  const set: Partial<typeof connections.$inferInsert> = {}
  if (patch.name !== undefined) set.name = patch.name
  let status = row.status
  if (reconnection) {
    set.settings = reconnection.settings
    set.credentials = reconnection.credentials
    if (status === 'needs_reconnection') status = 'active'
    set.statusMessage = null
  }
  if (patch.paused === true) status = 'paused'
  if (patch.paused === false && status === 'paused') status = 'active'
  if (patch.paused === false && status === 'needs_reconnection') {
    throw new AppError(
      'conflict',
      'This connection needs to be reconnected: send its credentials again ("secrets") to resume it.',
    )
  }
  if (status !== row.status) {
    set.status = status
    // Due at the next scheduled tick.
    if (status === 'active') set.nextSyncAt = new Date()
  }
  if (Object.keys(set).length === 0) return row
  const [updated] = await tx
    .update(connections)
    .set(set)
    .where(and(eq(connections.organizationId, scope.organizationId), eq(connections.id, id)))
    .returning()
  if (!updated) throw notFound('Connection')
  return updated
}

/**
 * Removes a connection and its run history. What it brought stays, as Roster's own: its
 * customers (archived ones too) and contacts become Roster-owned and editable, each customer's
 * history saying so. If it was the contact source, Roster becomes the contact source (without
 * the disconnect: another connection may be chosen later).
 */
export async function deleteConnection(tx: Tx, scope: Scope, id: string): Promise<void> {
  const org = scope.organizationId
  const row = await lockConnection(tx, org, id)
  if (!row) throw notFound('Connection')
  await tx
    .update(organizations)
    .set({ contactSourceConnectionId: null })
    .where(and(eq(organizations.id, org), eq(organizations.contactSourceConnectionId, id)))
  await tx.execute(sql`
    with old as (
      select c.* from customers c
      where c.organization_id = ${org}::uuid and c.source_connection_id = ${id}::uuid
    ),
    upd as (
      update customers c set source_connection_id = null, updated_at = now()
      from old where c.organization_id = old.organization_id and c.id = old.id
      returning c.*
    )
    ${auditInsert}
    select upd.organization_id, 'customer', upd.id, upd.id, 'update', ${actorValues(scope.actor)},
      ${customerSnapshot('old')}, ${customerSnapshot('upd')}
    from upd join old on old.id = upd.id`)
  await tx
    .update(contacts)
    .set({ sourceConnectionId: null })
    .where(and(eq(contacts.organizationId, org), eq(contacts.sourceConnectionId, id)))
  // The customers a contact source (a CRM) matched keep the contacts it brought, as Roster's.
  await tx
    .update(customers)
    .set({ contactsConnectionId: null })
    .where(and(eq(customers.organizationId, org), eq(customers.contactsConnectionId, id)))
  await tx
    .delete(connections)
    .where(and(eq(connections.organizationId, org), eq(connections.id, id)))
}
