import { emitWebhookEvent } from '../../webhooks/webhooks.service.ts'
import { setTimeout as wait } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import type { Vault } from '../../../platform/auth/encryption.ts'
import type { Db, Tx } from '../../../platform/db/client.ts'
import { contacts, customers, syncRunSeen } from '../../../platform/db/schema/index.ts'
import { refreshStatistics } from '../../../platform/db/statistics.ts'
import type { Queue } from '../../../platform/queue/queue.ts'
import type { Actor } from '../../../platform/auth/scope.ts'
import { contactSourceState } from '../../organizations/contact-source.service.ts'
import { notifyAdmins } from '../../notifications/notifications.service.ts'
import { openCredentials, storeSecrets } from '../connections.service.ts'
import type { Connectors } from '../connectors/index.ts'
import type { AccountMatching, Connector, SourcePage } from '../connectors/types.ts'
import { systemNames } from '../systems.ts'
import { applyPage, archiveCustomers, type ApplyContext, type PageOutcome } from './apply.ts'
import { decide, defaultRetry, type RetryOptions } from './policy.ts'
import { readAccounts, readPage } from './records.ts'
import { applyAccounts, retireUnseenAccounts } from './accounts.ts'
import {
  claimRun,
  lockConnection,
  moveRun,
  type ConnectionRow,
  type RunRow,
} from './runs.service.ts'
import {
  addRunCounts,
  allCustomers,
  appendRunErrors,
  countSeen,
  forgetSeen,
  hasLiveCustomers,
  lookUpByKeyOnly,
  markFullSync,
  markNeedsReconnection,
  notSeenBy,
  readConnection,
  reloadRun,
  saveCursor,
  setStatusMessage,
  type ParentLink,
} from './sql.ts'

export interface SyncDeps {
  db: Db
  queue: Queue
  vault: Vault
  connectors: Connectors
}

export interface SyncOptions {
  retry?: Partial<RetryOptions>
  /** How a wait is done; tests pass one that returns at once and records the delay. */
  sleep?: (ms: number) => Promise<void>
  /** Called after each page commits; throwing stops the run as a crash would (tests). */
  afterPage?: (pages: number) => Promise<void> | void
}

export const sourceActor = (row: {
  id: string
  system: ConnectionRow['system']
  name: string
}): Actor => {
  const system = systemNames[row.system]
  return {
    kind: 'source',
    id: row.id,
    label: row.name === system ? `${system} sync` : `${system} sync (${row.name})`,
    role: 'admin',
  }
}

/** A hook stopped the run: it is left as a crash leaves it, to be resumed. */
class Interrupted extends Error {
  constructor(cause: unknown) {
    super('interrupted', { cause })
  }
}

/** Why the page loop stopped early: the connection was paused, stopped or removed meanwhile. */
type Stop = 'paused' | 'needs_reconnection' | 'gone'

/** Runs the connection's next run (or resumes the one a dead worker left); undefined if none. */
export async function runNextSync(
  deps: SyncDeps,
  organizationId: string,
  connectionId: string,
  options: SyncOptions = {},
): Promise<RunRow | undefined> {
  const claimed = await deps.db.transaction((tx) => claimRun(tx, organizationId, connectionId))
  if (!claimed) return undefined
  return executeRun(deps, claimed.run, claimed.connection, options)
}

async function executeRun(
  deps: SyncDeps,
  started: RunRow,
  connection: ConnectionRow,
  options: SyncOptions,
): Promise<RunRow> {
  const { db } = deps
  const retry = { ...defaultRetry, ...options.retry }
  const sleep = options.sleep ?? ((ms: number) => wait(ms))
  const source = systemNames[connection.system]
  let run = started
  let attempt = 0
  // Customers waiting for a parent listed later in the run, kept across retries of a page.
  const parents: ParentLink[] = []
  for (;;) {
    const row = await readConnection(db, run)
    if (!row) return run
    try {
      const stop = await listAndApply(deps, run, row, options, parents, () => {
        attempt = 0
      })
      run = await reloadRun(db, run)
      if (stop === 'gone') return run
      if (stop) {
        const why =
          stop === 'paused'
            ? 'The connection was paused during the run.'
            : 'The connection needs to be reconnected.'
        return await finish(deps, run, 'cancelled', why)
      }
      return await complete(deps, run)
    } catch (error) {
      if (error instanceof Interrupted) throw error.cause
      run = await reloadRun(db, run)
      const decision = decide(error, { attempt, mode: run.mode, source }, retry)
      if (decision.kind === 'retry') {
        attempt++
        await sleep(decision.delayMs)
        continue
      }
      if (decision.kind === 'full') {
        run = await moveRun(db, run, 'running', { mode: 'full', pages: 0 })
        continue
      }
      return await finish(deps, run, 'failed', decision.message, decision.reconnect)
    }
  }
}

/** Lists from the last applied page and applies each page with its cursor, one transaction each. */
async function listAndApply(
  deps: SyncDeps,
  run: RunRow,
  connection: ConnectionRow,
  options: SyncOptions,
  parents: ParentLink[],
  progressed: () => void,
): Promise<Stop | undefined> {
  const { connector, settings, secrets } = await credentials(deps, connection)
  // A full run starts from nothing, and resumes from its own last page.
  const cursor = run.mode === 'full' && run.pages === 0 ? null : connection.cursor
  const abort = new AbortController()
  let pages = run.pages
  let createdSinceAnalyze = 0
  try {
    let current = secrets
    // A run can outlast an access token (Xero's live 30 minutes): the connector asks before
    // each page, and a refreshed token is stored before the connector gets it.
    const currentSecrets = async (): Promise<unknown> => {
      const fresh = await connector.refreshSecrets?.(settings, current, abort.signal)
      if (fresh) {
        await deps.db.transaction((tx) => storeSecrets(tx, deps.vault, connection, fresh))
        current = fresh
      }
      return current
    }
    for await (const page of connector.list({
      settings,
      secrets,
      cursor,
      mode: run.mode,
      signal: abort.signal,
      currentSecrets,
    })) {
      const done = await deps.db.transaction((tx) =>
        commitPage(tx, run, page, parents, connector, settings),
      )
      if (typeof done === 'string') return done
      parents.splice(0, parents.length, ...done.waiting)
      progressed()
      pages++
      createdSinceAnalyze += done.created
      if (createdSinceAnalyze >= ANALYZE_AFTER_CREATED) {
        await refreshStatistics(deps.db, [customers, contacts])
        createdSinceAnalyze = 0
      }
      try {
        await options.afterPage?.(pages)
      } catch (error) {
        throw new Interrupted(error)
      }
    }
    if (createdSinceAnalyze > 0) await refreshStatistics(deps.db, [customers, contacts])
    return undefined
  } finally {
    abort.abort()
  }
}

/** Decrypts the credentials, refreshing them first when the system's expire (OAuth2). */
async function credentials(
  deps: SyncDeps,
  connection: ConnectionRow,
): Promise<{ connector: Connector; settings: unknown; secrets: unknown }> {
  const opened = await openCredentials(deps, connection)
  if (!opened.connector.refreshSecrets) return opened
  const fresh = await opened.connector.refreshSecrets(opened.settings, opened.secrets)
  if (fresh === null) return opened
  await deps.db.transaction((tx) => storeSecrets(tx, deps.vault, connection, fresh))
  return { ...opened, secrets: fresh }
}

const context = (run: RunRow, connection: ConnectionRow, ownsContacts: boolean): ApplyContext => ({
  organizationId: run.organizationId,
  connectionId: run.connectionId,
  runId: run.id,
  full: run.mode === 'full',
  ownsContacts,
  actor: sourceActor(connection),
})

/**
 * A first sync creates many rows at once: fresh statistics then keep the planner, and the
 * foreign-key checks it plans once per session, on indexes (the embedded store has no
 * autovacuum to refresh them). A run that created fewer refreshes them once at its end.
 */
const ANALYZE_AFTER_CREATED = 1000

/** A page of a contact-only source's accounts: matched to customers, their contacts mirrored. */
async function commitAccounts(
  tx: Tx,
  c: ApplyContext,
  matching: AccountMatching | undefined,
  page: SourcePage,
  defaultCountry: string | null,
): Promise<PageOutcome> {
  const { accounts, skipped, notes } = readAccounts(page, defaultCountry)
  const outcome = await applyAccounts(
    tx,
    c,
    matching ?? { customerField: 'externalId', recordIds: false },
    accounts,
  )
  if (c.full) {
    const seen = [
      ...accounts.map((a) => a.externalId),
      ...skipped.flatMap((s) => (s.externalId ? [s.externalId] : [])),
    ]
    await tx.execute(sql`
      insert into sync_run_seen (organization_id, run_id, external_id)
      select ${c.organizationId}::uuid, ${c.runId}::uuid, value
      from jsonb_array_elements_text(${JSON.stringify(seen)}::jsonb)
      on conflict do nothing`)
  }
  const run = { organizationId: c.organizationId, id: c.runId, connectionId: c.connectionId }
  await appendRunErrors(tx, run, [...notes, ...outcome.notes])
  const result = { created: 0, updated: outcome.updated, archived: 0, skipped, waiting: [] }
  await addRunCounts(tx, run, { ...result, pages: 1 })
  return result
}

async function commitPage(
  tx: Tx,
  run: RunRow,
  page: SourcePage,
  parents: ParentLink[],
  connector: Connector,
  settings: unknown,
): Promise<Stop | PageOutcome> {
  const connection = await lockConnection(tx, run.organizationId, run.connectionId)
  if (!connection) return 'gone'
  if (connection.status !== 'active') return connection.status
  // Every statement of a page looks up its hundred rows by key.
  await lookUpByKeyOnly(tx)
  // Shares the organisation's row with other pages and waits for a disconnect in progress.
  const state = await contactSourceState(tx, run.organizationId, 'share')
  const ownsContacts = state.contactSource?.connectionId === run.connectionId
  const c = context(run, connection, ownsContacts)
  if (page.accounts) {
    const done = await commitAccounts(
      tx,
      c,
      connector.matching?.(settings),
      page,
      state.defaultCountry,
    )
    await saveCursor(tx, run, page.cursor ?? null)
    return done
  }
  const outcome = await applyPage(tx, c, readPage(page, state.defaultCountry), parents)
  await saveCursor(tx, run, page.cursor ?? null)
  await addRunCounts(tx, run, { ...outcome, pages: 1 })
  return outcome
}

/**
 * The end of a listing: a full run archives the connection's customers it did not see (unless
 * it saw none at all, which says more about the connection than about the customers).
 */
async function complete(deps: SyncDeps, run: RunRow): Promise<RunRow> {
  return deps.db.transaction(async (tx) => {
    const connection = await lockConnection(tx, run.organizationId, run.connectionId)
    if (!connection) return run
    if (run.mode === 'full') {
      const state = await contactSourceState(tx, run.organizationId, 'share')
      const c = context(run, connection, state.contactSource?.connectionId === run.connectionId)
      if (deps.connectors[connection.system]?.descriptor.feeds === 'contacts') {
        if (await sawNothing(tx, run)) {
          await noteNothingListed(tx, run, connection)
        } else {
          const released = await retireUnseenAccounts(tx, c)
          await addRunCounts(tx, run, {
            pages: 0,
            created: 0,
            updated: released,
            archived: 0,
            skipped: [],
          })
        }
      } else if (await sawNothing(tx, run)) {
        await noteNothingListed(tx, run, connection)
      } else {
        const archived = await archiveCustomers(tx, c, allCustomers, notSeenBy(run))
        await addRunCounts(tx, run, {
          pages: 0,
          created: 0,
          updated: 0,
          archived: archived.length,
          skipped: [],
        })
      }
      await forgetSeen(tx, run)
      await markFullSync(tx, run, run.startedAt ?? new Date())
    }
    if (connection.statusMessage) await setStatusMessage(tx, run, null)
    const done = await moveRun(tx, await reloadRun(tx, run), 'completed', {
      finishedAt: new Date(),
    })
    await emitWebhookEvent(tx, run.organizationId, 'sync.completed', {
      object: 'sync_run',
      id: done.id,
      connectionId: connection.id,
      system: connection.system,
      connectionName: connection.name,
      mode: done.mode,
      trigger: done.trigger,
      counts: {
        created: done.created,
        updated: done.updated,
        archived: done.archived,
        skipped: done.skipped,
      },
      startedAt: done.startedAt?.toISOString() ?? null,
      finishedAt: done.finishedAt?.toISOString() ?? null,
      actor: { kind: 'source', label: connection.name },
    })
    return done
  })
}

/** Whether a full run listed nothing; when it listed many, the statistics the archive needs. */
async function sawNothing(tx: Tx, run: RunRow): Promise<boolean> {
  const seen = await countSeen(tx, run)
  if (seen >= ANALYZE_AFTER_CREATED) await refreshStatistics(tx, [syncRunSeen])
  return seen === 0
}

/**
 * A full listing with no customer at all, while the connection brought some: more likely a
 * connection pointed at the wrong account than a source emptied, so nothing is archived, and the
 * run says why.
 */
async function noteNothingListed(tx: Tx, run: RunRow, connection: ConnectionRow): Promise<void> {
  if (!(await hasLiveCustomers(tx, run))) return
  await appendRunErrors(tx, run, [
    {
      externalId: null,
      reason: `${systemNames[connection.system]} listed no customers at all, so none was archived; check that the connection points at the right account.`,
    },
  ])
}

/** Ends a run that could not complete; revoked credentials stop the connection and tell the admins. */
async function finish(
  deps: SyncDeps,
  run: RunRow,
  status: 'failed' | 'cancelled',
  message: string,
  reconnect = false,
): Promise<RunRow> {
  return deps.db.transaction(async (tx) => {
    const connection = await lockConnection(tx, run.organizationId, run.connectionId)
    if (!connection) return run
    const ended = await moveRun(tx, run, status, { finishedAt: new Date(), error: message })
    if (status === 'cancelled') return ended
    if (reconnect && connection.status === 'active') {
      await markNeedsReconnection(tx, run, message)
      await notifyAdmins(tx, deps.queue, run.organizationId, {
        kind: 'connection_needs_reconnection',
        title: `${connection.name} needs to be reconnected`,
        body: `${message} Syncing from ${systemNames[connection.system]} is stopped until an admin enters new credentials.`,
        subject: { connectionId: connection.id },
      })
    } else {
      await setStatusMessage(tx, run, message)
    }
    return ended
  })
}
