import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm'
import type { ColumnMapping, ImportField } from '../../contracts/imports.ts'
import type { Db, DbOrTx } from '../../platform/db/client.ts'
import { imports } from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import { dryRun, type ImportRow } from './apply/run.ts'
import type { ImportSummary } from './apply/summary.ts'
import { clearStaging } from './apply/stage.ts'
import { localCopy, storeFile } from './file-store.ts'
import { runImportJob } from './imports.job.ts'
import { findImport, importWhere } from './imports.queries.ts'
import { assertCanMove } from './lifecycle.ts'
import { checkMapping, learnFromMapping, requiredFields, suggestMapping } from './mapping/index.ts'
import { inspectFile, type Inspection, type ReadOptions, type ResolvedRead } from './read/index.ts'

export interface Upload {
  path: string
  fileName: string
  size: number
  sha256: string
}

export interface Preview {
  inspection: Inspection
  suggestedMapping: ColumnMapping
  requiredFields: ImportField[]
}

const where = importWhere

/** What the organisation's earlier imports teach about its headers, the newest winning. */
async function learned(
  db: DbOrTx,
  organizationId: string,
): Promise<Map<string, ImportField | null>> {
  const rows = await db
    .select({ columns: imports.columns, mapping: imports.mapping })
    .from(imports)
    .where(
      and(
        eq(imports.organizationId, organizationId),
        isNotNull(imports.mapping),
        inArray(imports.status, ['queued', 'running', 'completed']),
      ),
    )
    .orderBy(desc(imports.createdAt))
    .limit(20)
  const knowledge = new Map<string, ImportField | null>()
  for (const { columns, mapping } of rows.reverse()) {
    // Every row selected has a mapping.
    if (!mapping) continue
    for (const [header, field] of learnFromMapping(columns, mapping)) {
      knowledge.set(header, field)
    }
  }
  return knowledge
}

async function preview(
  db: DbOrTx,
  organizationId: string,
  inspection: Inspection,
): Promise<Preview> {
  const suggestedMapping = suggestMapping(inspection.columns, await learned(db, organizationId))
  return { inspection, suggestedMapping, requiredFields: requiredFields(suggestedMapping) }
}

const resolvedRead = (inspection: Inspection): ResolvedRead => ({
  format: inspection.format,
  encoding: inspection.encoding,
  delimiter: inspection.delimiter,
  sheet: inspection.sheet,
  headerRow: inspection.headerRow,
})

/** Keeps an uploaded file and reads its beginning: format, encoding, columns, suggested mapping. */
export async function createImport(
  db: Db,
  scope: Scope,
  upload: Upload,
  options: ReadOptions,
): Promise<{ row: ImportRow; preview: Preview; stored: Promise<void> }> {
  const inspection = await inspectFile(upload.path, options)
  const [row] = await db
    .insert(imports)
    .values({
      organizationId: scope.organizationId,
      actorKind: scope.actor.kind,
      actorId: scope.actor.id,
      actorLabel: scope.actor.label,
      fileName: upload.fileName,
      fileSize: upload.size,
      fileSha256: upload.sha256,
      read: resolvedRead(inspection),
      columns: inspection.columns,
    })
    .returning()
  if (!row) throw new Error('import not created')
  // The preview does not wait for the file to be stored (a large one takes seconds).
  const stored = storeFile(db, scope.organizationId, row.id, upload.path)
  return { row, preview: await preview(db, scope.organizationId, inspection), stored }
}

async function inspectStored(
  db: DbOrTx,
  row: ImportRow,
  options: ReadOptions,
): Promise<Inspection> {
  const path = await localCopy(db, {
    organizationId: row.organizationId,
    importId: row.id,
    sha256: row.fileSha256,
    size: row.fileSize,
  })
  return inspectFile(path, options)
}

/** The file as read now, for the mapping step. */
export async function previewImport(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<Preview> {
  const row = await findImport(db, organizationId, id)
  const read = row.read
  const inspection = await inspectStored(db, row, {
    encoding: read.encoding ?? undefined,
    delimiter: read.delimiter ?? undefined,
    sheet: read.sheet ?? undefined,
    headerRow: read.headerRow,
  })
  return preview(db, organizationId, inspection)
}

/** Reads the file again with other options (separator, encoding, sheet, header row). */
export async function setReadOptions(
  db: Db,
  organizationId: string,
  id: string,
  options: ReadOptions,
): Promise<{ row: ImportRow; preview: Preview }> {
  const current = await findImport(db, organizationId, id)
  assertCanMove(current.status, 'uploaded', 'be read again')
  const inspection = await inspectStored(db, current, options)
  const [row] = await db
    .update(imports)
    .set({
      read: resolvedRead(inspection),
      columns: inspection.columns,
      mapping: null,
      dryRun: null,
      plannedVersion: null,
      status: 'uploaded',
    })
    .where(where(organizationId, id))
    .returning()
  await clearStaging(db, organizationId, id)
  if (!row) throw notFound('Import')
  return { row, preview: await preview(db, organizationId, inspection) }
}

/** Records the mapping and answers with the dry run: what each line will do, nothing written. */
export async function setMapping(
  db: Db,
  organizationId: string,
  id: string,
  mapping: ColumnMapping,
): Promise<{ row: ImportRow; summary: ImportSummary }> {
  const current = await findImport(db, organizationId, id)
  assertCanMove(current.status, 'mapped', 'be mapped again')
  checkMapping(current.columns, mapping)
  const [mapped] = await db
    .update(imports)
    .set({ mapping, status: 'mapped', dryRun: null, plannedVersion: null })
    .where(where(organizationId, id))
    .returning()
  if (!mapped) throw notFound('Import')
  const { summary, version } = await dryRun(db, mapped)
  const [row] = await db
    .update(imports)
    .set({ dryRun: summary, plannedVersion: version })
    .where(where(organizationId, id))
    .returning()
  if (!row) throw notFound('Import')
  return { row, summary }
}

/** Submits a mapped import to run in the background. */
export async function startImport(
  db: Db,
  queue: Queue,
  organizationId: string,
  id: string,
): Promise<ImportRow> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(imports).where(where(organizationId, id)).for('update')
    if (!current) throw notFound('Import')
    if (current.status === 'uploaded') {
      throw new AppError('conflict', 'Map the columns of the file before submitting it.')
    }
    assertCanMove(current.status, 'queued', 'be submitted')
    const [row] = await tx
      .update(imports)
      .set({
        status: 'queued',
        stagedAt: null,
        chunksApplied: 0,
        chunkCount: null,
        linesRead: 0,
        linesDone: 0,
        linesTotal: null,
        summary: null,
      })
      .where(where(organizationId, id))
      .returning()
    await queue.enqueue(tx, runImportJob, { organizationId, importId: id }, { singletonKey: id })
    if (!row) throw notFound('Import')
    return row
  })
}

/**
 * Cancels an import. One not yet running stops at once; a running one stops after the chunk in
 * progress: the lines already applied stay applied, and the import says how many.
 */
export async function cancelImport(db: Db, organizationId: string, id: string): Promise<ImportRow> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(imports).where(where(organizationId, id)).for('update')
    if (!current) throw notFound('Import')
    assertCanMove(current.status, 'cancelled', 'be cancelled')
    const immediate = current.status !== 'running'
    const [row] = await tx
      .update(imports)
      .set(
        immediate
          ? { status: 'cancelled', cancelRequestedAt: new Date(), finishedAt: new Date() }
          : { cancelRequestedAt: new Date() },
      )
      .where(where(organizationId, id))
      .returning()
    if (!row) throw notFound('Import')
    return row
  })
}
