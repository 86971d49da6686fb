import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { and, asc, eq, inArray, or, sql } from 'drizzle-orm'
import type { DbOrTx, Tx } from '../../platform/db/client.ts'
import { AppError } from '../../platform/errors.ts'
import {
  importFiles,
  importLines,
  importRejections,
  imports,
} from '../../platform/db/schema/index.ts'
import type { ImportRow } from './apply/run.ts'
import { localCopy } from './file-store.ts'
import { isFinished, moveImport } from './lifecycle.ts'
import { readRecords } from './read/index.ts'
import type { FileRecord } from './read/types.ts'

/** An import that holds a person: the lines of its file that name them (by email), as read. */
export interface ImportHolding {
  row: ImportRow
  lines: FileRecord[]
}

const folded = (value: string): string => value.trim().toLowerCase()

/**
 * The organisation's imports whose uploaded file has a line with this email in a cell (compared
 * trimmed, case-insensitively), or whose staged lines are about this contact. Reads every stored
 * file: an erasure or an access request is rare, and a file is the only place a line rejected or
 * left unchanged is kept once its import has run.
 */
export async function importsHolding(
  db: DbOrTx,
  organizationId: string,
  person: { contactId: string; email: string | null },
): Promise<ImportHolding[]> {
  const rows = await db
    .select()
    .from(imports)
    .where(eq(imports.organizationId, organizationId))
    .orderBy(asc(imports.createdAt))
  const staged = await db
    .selectDistinct({ importId: importLines.importId })
    .from(importLines)
    .where(
      and(
        eq(importLines.organizationId, organizationId),
        or(
          eq(importLines.contactId, person.contactId),
          person.email === null
            ? sql`false`
            : sql`lower(${importLines.contactEmail}) = ${folded(person.email)}`,
        ),
      ),
    )
  const stagedIds = new Set(staged.map((s) => s.importId))
  const email = person.email === null ? null : folded(person.email)
  const holding: ImportHolding[] = []
  for (const row of rows) {
    const lines: FileRecord[] = []
    if (email !== null && row.fileErasedAt === null) {
      const path = await localCopy(db, {
        organizationId,
        importId: row.id,
        sha256: row.fileSha256,
        size: row.fileSize,
      })
      for await (const record of readRecords(path, row.read)) {
        if (record.cells.some((cell) => folded(cell) === email)) lines.push(record)
      }
    }
    if (lines.length > 0 || stagedIds.has(row.id)) holding.push({ row, lines })
  }
  return holding
}

export interface ImportErased {
  id: string
  lines: number[]
  fileDeleted: boolean
}

/**
 * Removes a person from an import that holds them: its staged lines about them, the values of
 * its rejections on their lines (the reason says why), and its uploaded file, which is deleted
 * (a file is kept byte for byte, so it cannot lose one line) and `fileErasedAt` says so. An import
 * not yet submitted is cancelled, as its file is gone; a submitted one refuses: it would write the
 * person again.
 */
export async function eraseFromImport(
  tx: Tx,
  holding: ImportHolding,
  person: { contactId: string; email: string | null },
): Promise<ImportErased> {
  const { row } = holding
  const where = and(eq(imports.organizationId, row.organizationId), eq(imports.id, row.id))
  const lineNumbers = holding.lines.map((record) => record.line)
  const [current] = await tx.select().from(imports).where(where).for('update')
  if (!current) return { id: row.id, lines: [], fileDeleted: false }
  if (current.status === 'queued' || current.status === 'running') {
    throw new AppError(
      'conflict',
      `The import of "${row.fileName}" is running and holds this person: wait until it is over, or cancel it, then erase again.`,
    )
  }
  const email = person.email === null ? null : folded(person.email)
  await tx
    .delete(importLines)
    .where(
      and(
        eq(importLines.organizationId, row.organizationId),
        eq(importLines.importId, row.id),
        or(
          eq(importLines.contactId, person.contactId),
          email === null ? sql`false` : sql`lower(${importLines.contactEmail}) = ${email}`,
          lineNumbers.length > 0 ? inArray(importLines.line, lineNumbers) : sql`false`,
        ),
      ),
    )
  if (lineNumbers.length > 0) {
    await tx
      .update(importRejections)
      .set({ value: null, reason: 'This line held a person whose data was erased.' })
      .where(
        and(
          eq(importRejections.organizationId, row.organizationId),
          eq(importRejections.importId, row.id),
          inArray(importRejections.line, lineNumbers),
        ),
      )
  }
  const fileDeleted = current.fileErasedAt === null && lineNumbers.length > 0
  if (fileDeleted) {
    await tx
      .delete(importFiles)
      .where(
        and(eq(importFiles.organizationId, row.organizationId), eq(importFiles.importId, row.id)),
      )
    await tx.update(imports).set({ fileErasedAt: new Date() }).where(where)
    if (!isFinished(current.status)) {
      await moveImport(tx, row, 'cancelled', 'be cancelled', { finishedAt: new Date() })
    }
  }
  return { id: row.id, lines: lineNumbers, fileDeleted }
}

/** This process's local copy of a deleted file (file-store.ts), once the erasure committed. */
export async function forgetLocalCopy(sha256: string): Promise<void> {
  await rm(join(tmpdir(), 'roster-imports', sha256), { force: true })
}

/** Refuses to read an import's uploaded file that an erasure deleted, saying so. */
export function assertFileKept(row: { fileErasedAt: Date | null }): void {
  if (row.fileErasedAt === null) return
  throw new AppError(
    'conflict',
    `The uploaded file of this import was deleted on ${row.fileErasedAt.toISOString().slice(0, 10)}: it held a person whose data was erased. Upload the file again if you need it.`,
  )
}
