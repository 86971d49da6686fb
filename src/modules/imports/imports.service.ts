import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm'
import { foldValue } from '../../contracts/fields.ts'
import type { ColumnMapping, ImportField, ValueMap } from '../../contracts/imports.ts'
import type { Db, DbOrTx } from '../../platform/db/client.ts'
import { imports } from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import { dryRun, type ImportRow } from './apply/run.ts'
import type { ImportSummary } from './apply/summary.ts'
import { clearStaging } from './apply/stage.ts'
import { localCopy, storeFile } from './file-store.ts'
import { assertFileKept } from './personal-data.ts'
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

/**
 * The values the organisation's earlier imports mapped (folded value → the value as written and
 * its role), the newest winning: a value mapped once maps on its own in the next files.
 */
async function learnedValues(db: DbOrTx, organizationId: string): Promise<ValueMap> {
  const rows = await db
    .select({ valueMap: imports.valueMap })
    .from(imports)
    .where(
      and(
        eq(imports.organizationId, organizationId),
        isNotNull(imports.valueMap),
        inArray(imports.status, ['queued', 'running', 'completed']),
      ),
    )
    .orderBy(desc(imports.createdAt))
    .limit(20)
  return mergeValueMaps(...rows.reverse().map((row) => row.valueMap ?? {}))
}

/** Value maps one over the other, the later winning, values compared folded. */
function mergeValueMaps(...maps: ValueMap[]): ValueMap {
  const roles = new Map<string, [string, NonNullable<ValueMap['contact.role']>[string]]>()
  for (const map of maps) {
    for (const [value, role] of Object.entries(map['contact.role'] ?? {})) {
      roles.set(foldValue(value), [value, role])
    }
  }
  return roles.size > 0 ? { 'contact.role': Object.fromEntries(roles.values()) } : {}
}

/** The entries of a value map the file used, with those the member gave for this import. */
function keptValues(given: ValueMap, effective: ValueMap, used: Set<string>): ValueMap {
  const usedOnly = Object.entries(effective['contact.role'] ?? {}).filter(([value]) =>
    used.has(value),
  )
  return mergeValueMaps({ 'contact.role': Object.fromEntries(usedOnly) }, given)
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
  // The preview is read first, then the file is stored in the background (a large one takes
  // seconds): on the embedded store every connection shares one session, which the storing
  // transaction holds until it ends, so a preview read after it would wait for it.
  const previewed = await preview(db, scope.organizationId, inspection)
  const stored = storeFile(db, scope.organizationId, row.id, upload.path)
  return { row, preview: previewed, stored }
}

async function inspectStored(
  db: DbOrTx,
  row: ImportRow,
  options: ReadOptions,
): Promise<Inspection> {
  assertFileKept(row)
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

/**
 * Records the mapping and the value map, and answers with the dry run: what each line will do,
 * nothing written. Without a value map, the one given before is kept. The values the
 * organisation's earlier imports mapped apply too; the import keeps those its file used.
 */
export async function setMapping(
  db: Db,
  organizationId: string,
  id: string,
  mapping: ColumnMapping,
  valueMap?: ValueMap,
): Promise<{ row: ImportRow; summary: ImportSummary }> {
  const current = await findImport(db, organizationId, id)
  assertCanMove(current.status, 'mapped', 'be mapped again')
  checkMapping(current.columns, mapping)
  const given = valueMap ?? current.valueMap ?? {}
  const effective = mergeValueMaps(await learnedValues(db, organizationId), given)
  const [mapped] = await db
    .update(imports)
    .set({ mapping, valueMap: effective, status: 'mapped', dryRun: null, plannedVersion: null })
    .where(where(organizationId, id))
    .returning()
  if (!mapped) throw notFound('Import')
  const { summary, version, valuesUsed } = await dryRun(db, mapped)
  const [row] = await db
    .update(imports)
    .set({
      dryRun: summary,
      plannedVersion: version,
      valueMap: keptValues(given, effective, valuesUsed),
    })
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
  /** A value map given on submitting: the lines are checked again with it before they apply. */
  valueMap?: ValueMap,
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
        ...(valueMap
          ? { valueMap: mergeValueMaps(current.valueMap ?? {}, valueMap), plannedVersion: null }
          : {}),
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

/**
 * Discards an import never submitted (uploaded, mapped, or cancelled before it started): it
 * leaves the history with its file and staged lines. A submitted import is history and stays.
 */
export async function discardImport(db: Db, organizationId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [current] = await tx.select().from(imports).where(where(organizationId, id)).for('update')
    if (!current) throw notFound('Import')
    const neverStarted =
      current.status === 'uploaded' ||
      current.status === 'mapped' ||
      (current.status === 'cancelled' && !current.startedAt)
    if (!neverStarted) {
      throw new AppError(
        'conflict',
        'This import was submitted, so it stays in the history; only imports never submitted can be discarded.',
      )
    }
    await clearStaging(tx, organizationId, id)
    await tx.delete(imports).where(where(organizationId, id))
  })
}
