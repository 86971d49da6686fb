import { and, asc, desc, eq, gt, inArray, lt, or, sql } from 'drizzle-orm'
import type { ImportRecord, lineOutcomes } from '../../contracts/imports.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { decodeCursor, encodeCursor } from '../../platform/db/cursor.ts'
import { importLines, importRejections, imports } from '../../platform/db/schema/index.ts'
import { notFound } from '../../platform/errors.ts'
import type { ImportRow } from './apply/run.ts'

export const importWhere = (organizationId: string, id: string) =>
  and(eq(imports.organizationId, organizationId), eq(imports.id, id))

export async function findImport(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<ImportRow> {
  const [row] = await db.select().from(imports).where(importWhere(organizationId, id))
  if (!row) throw notFound('Import')
  return row
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null)

function phase(row: ImportRow): ImportRecord['progress']['phase'] {
  if (row.status === 'queued') return 'waiting'
  if (row.status !== 'running') return row.finishedAt ? 'done' : 'waiting'
  return row.stagedAt ? 'applying' : 'reading'
}

export function toImportRecord(row: ImportRow, retries: string[] = []): ImportRecord {
  return {
    id: row.id,
    status: row.status,
    fileName: row.fileName,
    fileSize: row.fileSize,
    createdBy: { kind: row.actorKind, id: row.actorId, label: row.actorLabel },
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    read: row.read,
    columns: row.columns,
    mapping: row.mapping,
    progress: {
      phase: phase(row),
      linesRead: row.linesRead,
      linesTotal: row.linesTotal,
      linesDone: row.linesDone,
    },
    dryRun: row.dryRun,
    summary: row.summary,
    cancelRequested: row.cancelRequestedAt !== null,
    fileErasedAt: row.fileErasedAt?.toISOString() ?? null,
    error: row.error,
    retryOf: row.retryOf,
    retries,
    undo: row.undo,
  }
}

/** The follow-up imports of each of these imports' rejected lines, oldest first. */
export async function retriesOf(
  db: DbOrTx,
  organizationId: string,
  ids: string[],
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>()
  if (ids.length === 0) return found
  const rows = await db
    .select({ id: imports.id, retryOf: imports.retryOf })
    .from(imports)
    .where(and(eq(imports.organizationId, organizationId), inArray(imports.retryOf, ids)))
    .orderBy(asc(imports.createdAt))
  for (const { id, retryOf } of rows) {
    if (retryOf) found.set(retryOf, [...(found.get(retryOf) ?? []), id])
  }
  return found
}

/** An import as the API shows it, with its follow-up imports. */
export async function importRecordOf(db: DbOrTx, row: ImportRow): Promise<ImportRecord> {
  const retries = await retriesOf(db, row.organizationId, [row.id])
  return toImportRecord(row, retries.get(row.id))
}

/** The import history, newest first. */
export async function listImports(
  db: DbOrTx,
  organizationId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ data: ImportRecord[]; nextCursor: string | null }> {
  const after = query.cursor
    ? decodeCursor(query.cursor, (at) => !Number.isNaN(Date.parse(at)))
    : undefined
  const rows = await db
    .select()
    .from(imports)
    .where(
      and(
        eq(imports.organizationId, organizationId),
        after
          ? or(
              lt(imports.createdAt, new Date(after[0])),
              and(eq(imports.createdAt, new Date(after[0])), lt(imports.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(desc(imports.createdAt), desc(imports.id))
    .limit(query.limit + 1)
  const last = rows.length > query.limit ? rows[query.limit - 1] : undefined
  const shown = rows.slice(0, query.limit)
  const retries = await retriesOf(
    db,
    organizationId,
    shown.map((row) => row.id),
  )
  return {
    data: shown.map((row) => toImportRecord(row, retries.get(row.id))),
    nextCursor: last ? encodeCursor(last.createdAt.toISOString(), last.id) : null,
  }
}

export type RejectedLine = Pick<
  typeof importRejections.$inferSelect,
  'line' | 'column' | 'value' | 'reason'
>

/** Rejected lines in file order, after a line number. */
export async function rejectedLines(
  db: DbOrTx,
  organizationId: string,
  importId: string,
  afterLine: number,
  limit: number,
): Promise<RejectedLine[]> {
  return db
    .select({
      line: importRejections.line,
      column: importRejections.column,
      value: importRejections.value,
      reason: importRejections.reason,
    })
    .from(importRejections)
    .where(
      and(
        eq(importRejections.organizationId, organizationId),
        eq(importRejections.importId, importId),
        gt(importRejections.line, afterLine),
      ),
    )
    .orderBy(asc(importRejections.line))
    .limit(limit)
}

type LineOutcome = (typeof lineOutcomes)[number]

const lineOutcome = sql<LineOutcome>`case
  when ${importLines.customerOutcome} = 'create' or ${importLines.contactOutcome} = 'create' then 'create'
  when ${importLines.customerOutcome} = 'update' or ${importLines.contactOutcome} = 'update' then 'update'
  else 'unchanged' end`

/**
 * What each line of the dry run will do, in file order; kept from the dry run until the import
 * runs (the rejected lines are listed with their reasons by `rejectedLines`).
 */
export async function plannedLines(
  db: DbOrTx,
  organizationId: string,
  importId: string,
  query: { afterLine: number; limit: number; outcome?: LineOutcome | undefined },
): Promise<{ line: number; outcome: LineOutcome }[]> {
  return db
    .select({ line: importLines.line, outcome: lineOutcome })
    .from(importLines)
    .where(
      and(
        eq(importLines.organizationId, organizationId),
        eq(importLines.importId, importId),
        eq(importLines.rejected, false),
        gt(importLines.line, query.afterLine),
        query.outcome ? eq(lineOutcome, query.outcome) : undefined,
      ),
    )
    .orderBy(asc(importLines.line))
    .limit(query.limit)
}
