import { and, eq, sql } from 'drizzle-orm'
import type { ColumnMapping, ImportField } from '../../../contracts/imports.ts'
import type { Db, DbOrTx, Tx } from '../../../platform/db/client.ts'
import { contacts, customers, importLines, imports } from '../../../platform/db/schema/index.ts'
import { refreshStatistics } from '../../../platform/db/statistics.ts'
import type { Actor } from '../../../platform/auth/scope.ts'
import { HandedBack } from '../../../platform/queue/queue.ts'
import { contactSourceState } from '../../organizations/contact-source.service.ts'
import { systemNames } from '../../sources/systems.ts'
import { localCopy } from '../file-store.ts'
import { moveImport } from '../lifecycle.ts'
import { dataVersion } from './data-version.ts'
import { mergeChunk } from './merge.ts'
import { planImport } from './plan.ts'
import { stageFile, StagingStopped } from './stage.ts'
import { summarize, type ImportSummary } from './summary.ts'

export type ImportRow = typeof imports.$inferSelect

const CHUNK_CUSTOMERS = 2000

// The trail's rows of an import carry the import's id, so that its undo finds what it wrote.
export const importActor = (row: ImportRow): Actor => ({
  kind: 'import',
  id: row.id,
  label: `import of ${row.fileName} by ${row.actorLabel}`,
  role: 'admin',
})

const headersOf = (
  columns: string[],
  mapping: ColumnMapping,
): Partial<Record<ImportField, string>> => {
  const headers: Partial<Record<ImportField, string>> = {}
  mapping.forEach((field, index) => {
    if (field) headers[field] = columns[index] ?? field
  })
  return headers
}

const where = (row: { organizationId: string; id: string }) =>
  and(eq(imports.organizationId, row.organizationId), eq(imports.id, row.id))

/**
 * Reads, checks, stages and plans every line of the file, without changing any customer or
 * contact: the dry run, and the first step of a run unless it reuses the dry run's lines.
 * Returns the number of lines and chunks and the data version the plan read (taken before it
 * read anything), or null when `progress` asked to stop.
 */
export async function stageAndPlan(
  db: Db,
  row: ImportRow,
  progress?: (linesRead: number) => Promise<boolean>,
  valuesUsed?: Set<string>,
): Promise<{ lines: number; chunks: number; version: string } | null> {
  const { mapping, columns } = row
  if (!mapping) throw new Error('an import is staged only once it is mapped')
  const version = await dataVersion(db, row.organizationId)
  const path = await localCopy(db, {
    organizationId: row.organizationId,
    importId: row.id,
    sha256: row.fileSha256,
    size: row.fileSize,
  })
  let lines: number
  try {
    ;({ lines } = await stageFile(db, {
      organizationId: row.organizationId,
      importId: row.id,
      path,
      read: row.read,
      columns,
      mapping,
      valueMap: row.valueMap,
      valuesUsed,
      progress,
    }))
  } catch (error) {
    if (error instanceof StagingStopped) return null
    throw error
  }
  const { contactSource } = await contactSourceState(db, row.organizationId)
  // Statement by statement, not in one transaction: the plan only writes staged lines, a run
  // that dies here stages again, and committed passes let PostgreSQL reuse the pages in place.
  await planImport(db, {
    organizationId: row.organizationId,
    importId: row.id,
    headers: headersOf(columns, mapping),
    contactSource: contactSource && {
      connectionId: contactSource.connectionId,
      name: systemNames[contactSource.system],
    },
    chunkSize: CHUNK_CUSTOMERS,
  })
  const chunks = await chunkCount(db, row)
  return { lines, chunks, version }
}

async function hasStagedLines(db: DbOrTx, row: ImportRow): Promise<boolean> {
  const [line] = await db
    .select({ line: importLines.line })
    .from(importLines)
    .where(
      and(eq(importLines.organizationId, row.organizationId), eq(importLines.importId, row.id)),
    )
    .limit(1)
  return line !== undefined
}

async function chunkCount(db: DbOrTx, row: ImportRow): Promise<number> {
  const { rows } = await db.execute<{ chunks: string | number | null }>(sql`
    select max(chunk) + 1 as chunks from import_lines
    where organization_id = ${row.organizationId}::uuid and import_id = ${row.id}::uuid`)
  return Number(rows[0]?.chunks ?? 0)
}

/** The chunks holding a line that creates or changes something. */
async function chunksWithChanges(db: DbOrTx, row: ImportRow): Promise<Set<number>> {
  // Chunk 0 also creates the groups named only on their subsidiaries' lines.
  const scope = sql`organization_id = ${row.organizationId}::uuid and import_id = ${row.id}::uuid
    and not rejected`
  const { rows } = await db.execute<{ chunk: number }>(sql`
    select distinct chunk from import_lines where ${scope}
      and (customer_outcome in ('create', 'update') or contact_outcome in ('create', 'update'))
    union
    select 0 where exists (select 1 from import_lines where ${scope}
      and group_id is not null and group_key not like 'id:%')`)
  return new Set(rows.map((r) => r.chunk))
}

/**
 * The dry run: its counts, the data version its planned lines hold for the run, and the entries
 * of the import's value map the file used.
 */
export async function dryRun(
  db: Db,
  row: ImportRow,
): Promise<{ summary: ImportSummary; version: string; valuesUsed: Set<string> }> {
  const valuesUsed = new Set<string>()
  const staged = await stageAndPlan(db, row, undefined, valuesUsed)
  if (!staged) throw new Error('dry run stopped')
  const summary = await summarize(db, row.organizationId, row.id)
  return { summary, version: staged.version, valuesUsed }
}

/**
 * The dry run's lines, when they still say what the run will do: planned to the end (the
 * version is recorded only then, and cleared when the file is read again or mapped again) and
 * against the organisation's data as it is now.
 */
async function dryRunStillHolds(db: Db, row: ImportRow): Promise<boolean> {
  if (!row.plannedVersion || !(await hasStagedLines(db, row))) return false
  return row.plannedVersion === (await dataVersion(db, row.organizationId))
}

/** A hook stopped the run: it is left as a crash leaves it, to be resumed. */
class Interrupted extends Error {
  constructor(cause: unknown) {
    super('interrupted', { cause })
  }
}

export interface RunHooks {
  /** Called after each chunk commits; throwing stops the run as a crash would. */
  afterChunk?: (chunk: number) => Promise<void> | void
  /** Called after each chunk commits with the number of lines it applied (metrics). */
  applied?: (lines: number) => void
  /**
   * Aborted when the worker's process stops: the run stops after the chunk that is committing
   * (`HandedBack`), left as a crash leaves it, to be resumed by another worker.
   */
  signal?: AbortSignal
  /** Called in the transaction that records the end of the run. */
  finished?: (tx: Tx, row: ImportRow) => Promise<void>
}

async function load(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<ImportRow | undefined> {
  const [row] = await db.select().from(imports).where(where({ organizationId, id }))
  return row
}

/** How the end of a run is said when the import's lifecycle refuses it. */
const ending = { completed: 'complete', failed: 'fail', cancelled: 'be cancelled' } as const

async function finish(
  db: Db,
  row: ImportRow,
  to: keyof typeof ending,
  hooks: RunHooks,
  set: Partial<ImportRow> = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    const done = await moveImport(tx, row, to, ending[to], { ...set, finishedAt: new Date() })
    await tx
      .delete(importLines)
      .where(
        and(eq(importLines.organizationId, row.organizationId), eq(importLines.importId, row.id)),
      )
    if (done && hooks.finished) await hooks.finished(tx, done)
  })
}

/**
 * Runs a submitted import to its end. Safe to run again after a crash: lines are staged once per
 * run, and each chunk's merge commits together with the count of chunks applied, so a restarted
 * run carries on after the last chunk that committed: no line applied twice, none lost.
 */
export async function runImport(
  db: Db,
  organizationId: string,
  importId: string,
  hooks: RunHooks = {},
): Promise<void> {
  let row = await load(db, organizationId, importId)
  if (row?.status !== 'queued' && row?.status !== 'running') return
  if (row.status === 'queued') {
    const queued = row
    row = await db.transaction((tx) =>
      moveImport(tx, queued, 'running', 'start', { startedAt: new Date() }),
    )
    if (!row) return
  }
  const current = row
  try {
    if (current.stagedAt && !(await hasStagedLines(db, current))) {
      // The staged lines are unlogged: a database server crash empties them. Staging again is
      // safe, as applying a line twice writes the same values (it shows as unchanged).
      current.stagedAt = null
    }
    if (!current.stagedAt) {
      const staged = (await dryRunStillHolds(db, current))
        ? { lines: null, chunks: await chunkCount(db, current) }
        : await stageAndPlan(db, current, async (linesRead) => {
            const [state] = await db
              .update(imports)
              .set({ linesRead })
              .where(where(current))
              .returning({ cancel: imports.cancelRequestedAt })
            return !state?.cancel
          })
      if (!staged) {
        await finish(db, current, 'cancelled', hooks)
        return
      }
      // Staged again after chunks were applied (a server crash emptied the lines): the lines of
      // those chunks now find what they created and plan as unchanged, so the first plan's counts
      // stay the import's counts.
      const summary =
        current.chunksApplied > 0 && current.summary
          ? current.summary
          : await summarize(db, organizationId, importId)
      const lines = staged.lines ?? summary.lines.total
      ;[row] = await db
        .update(imports)
        .set({
          stagedAt: new Date(),
          // From now on the lines are the run's: a crash resumes them, never reuses them.
          plannedVersion: null,
          linesRead: lines,
          linesTotal: lines,
          linesDone: summary.lines.rejected,
          chunkCount: staged.chunks,
          chunksApplied: 0,
          summary,
        })
        .where(where(current))
        .returning()
      if (!row) return
    }
    const actor = importActor(row)
    let applied = 0
    // The merge may have created many customers and contacts since the plan's statistics: fresh
    // ones keep the next searches off row-by-row plans (the embedded store has no autovacuum,
    // and PostgreSQL's may come minutes later).
    const refreshIfApplied = async () => {
      if (applied > 0) await refreshStatistics(db, [customers, contacts])
    }
    const toWrite = await chunksWithChanges(db, row)
    for (let chunk = row.chunksApplied; chunk < (row.chunkCount ?? 0); chunk++) {
      if (hooks.signal?.aborted) throw new Interrupted(new HandedBack())
      const state = await load(db, organizationId, importId)
      if (state?.cancelRequestedAt) {
        await refreshIfApplied()
        await finish(db, current, 'cancelled', hooks)
        return
      }
      const writes = toWrite.has(chunk)
      const lines = await db.transaction(async (tx) => {
        // The import's row is locked while its chunk merges, and the chunk must be the next one:
        // a worker presumed dead that is still running, and the one that took its job over, never
        // apply a chunk twice.
        const { rows: locked } = await tx.execute<{ chunks_applied: number }>(sql`
          select chunks_applied from imports
          where organization_id = ${organizationId}::uuid and id = ${importId}::uuid for update`)
        if (locked[0]?.chunks_applied !== chunk) return undefined
        // A chunk whose every line is unchanged has nothing to write: only its count moves.
        if (writes) await mergeChunk(tx, { organizationId, importId, chunk, actor })
        const { rows: counted } = await tx.execute<{ lines: number }>(sql`
          with chunk_lines as (
            select count(*)::int as lines from import_lines
            where organization_id = ${organizationId}::uuid and import_id = ${importId}::uuid
              and not rejected and chunk = ${chunk})
          update imports set chunks_applied = ${chunk + 1},
            lines_done = lines_done + (select lines from chunk_lines)
          where organization_id = ${organizationId}::uuid and id = ${importId}::uuid
          returning (select lines from chunk_lines) as lines`)
        return counted[0]?.lines ?? 0
      })
      if (lines === undefined) {
        throw new Interrupted(new Error('Another worker is applying this import.'))
      }
      hooks.applied?.(lines)
      if (writes) applied++
      try {
        await hooks.afterChunk?.(chunk)
      } catch (error) {
        throw new Interrupted(error)
      }
    }
    await refreshIfApplied()
    await finish(db, current, 'completed', hooks)
  } catch (error) {
    if (error instanceof Interrupted) throw error.cause
    const message = error instanceof Error ? error.message : String(error)
    await finish(db, current, 'failed', hooks, { error: message })
    throw error
  }
}
