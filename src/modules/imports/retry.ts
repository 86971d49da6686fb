import { createHash, randomUUID } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { and, eq, inArray } from 'drizzle-orm'
import Papa from 'papaparse'
import type { RetryBody } from '../../contracts/imports.ts'
import type { Db } from '../../platform/db/client.ts'
import { importRejections, imports } from '../../platform/db/schema/index.ts'
import { AppError, type ErrorDetail } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import type { ImportRow } from './apply/run.ts'
import { localCopy } from './file-store.ts'
import { findImport, importWhere } from './imports.queries.ts'
import { isFinished } from './lifecycle.ts'
import { createImport, setMapping, startImport } from './imports.service.ts'
import { readRecords } from './read/index.ts'

/**
 * A follow-up import of some of an import's rejected lines, fixed: a CSV of the file's own
 * columns holding those lines with the cells given, imported with the first import's mapping and
 * linked to it (`retry_of`). Everything is checked before anything is written.
 */
export async function retryImport(
  db: Db,
  queue: Queue,
  scope: Scope,
  id: string,
  body: RetryBody,
): Promise<ImportRow> {
  const first = await findImport(db, scope.organizationId, id)
  if (!isFinished(first.status) || !first.mapping) {
    throw new AppError(
      'conflict',
      'This import has not finished: its rejected lines can be imported again once it has.',
    )
  }
  const mapping = first.mapping
  const fixes = await checkFixes(db, first, body)

  const cells = new Map<number, string[]>()
  const path = await localCopy(db, {
    organizationId: first.organizationId,
    importId: first.id,
    sha256: first.fileSha256,
    size: first.fileSize,
  })
  for await (const record of readRecords(path, first.read)) {
    const values = fixes.get(record.line)
    if (!values) continue
    cells.set(
      record.line,
      first.columns.map((column, i) => values[column] ?? record.cells[i] ?? ''),
    )
  }
  const lines = [...fixes.keys()].sort((a, b) => a - b)
  const csv =
    '\uFEFF' +
    Papa.unparse([first.columns, ...lines.map((line) => cells.get(line) ?? [])], {
      delimiter: ',',
      newline: '\r\n',
      quotes: true,
    }) +
    '\r\n'

  const file = join(tmpdir(), `roster-retry-${randomUUID()}`)
  await writeFile(file, csv, { mode: 0o600 })
  try {
    const base = first.fileName.replace(/\.[^.]+$/, '')
    const { row } = await createImport(
      db,
      scope,
      {
        path: file,
        fileName: `${base} - fixed lines.csv`,
        size: Buffer.byteLength(csv),
        sha256: createHash('sha256').update(csv).digest('hex'),
      },
      { encoding: 'utf-8', delimiter: ',', headerRow: 1 },
    )
    await db
      .update(imports)
      .set({ retryOf: first.id })
      .where(importWhere(row.organizationId, row.id))
    await setMapping(db, row.organizationId, row.id, mapping, first.valueMap ?? undefined)
    return await startImport(db, queue, row.organizationId, row.id)
  } finally {
    await rm(file, { force: true })
  }
}

/** The fixed lines by number, each a line the import rejected, naming only the file's columns. */
async function checkFixes(
  db: Db,
  first: ImportRow,
  body: RetryBody,
): Promise<Map<number, Record<string, string>>> {
  const details: ErrorDetail[] = []
  const fixes = new Map<number, Record<string, string>>()
  const columns = new Set(first.columns)
  body.lines.forEach(({ line, values }, index) => {
    if (fixes.has(line)) {
      details.push({ path: `lines.${index}.line`, message: `Line ${line} is given twice.` })
    }
    for (const column of Object.keys(values)) {
      if (!columns.has(column)) {
        details.push({
          path: `lines.${index}.values.${column}`,
          message: `"${column}" is not a column of ${first.fileName}.`,
        })
      }
    }
    fixes.set(line, values)
  })
  const asked = [...fixes.keys()]
  const found = await db
    .selectDistinct({ line: importRejections.line })
    .from(importRejections)
    .where(
      and(
        eq(importRejections.organizationId, first.organizationId),
        eq(importRejections.importId, first.id),
        inArray(importRejections.line, asked),
      ),
    )
  const rejected = new Set(found.map((r) => r.line))
  body.lines.forEach(({ line }, index) => {
    if (!rejected.has(line)) {
      details.push({
        path: `lines.${index}.line`,
        message: `Line ${line} was not rejected by this import.`,
      })
    }
  })
  if (details.length > 0) {
    throw new AppError(
      'unprocessable',
      details.length === 1
        ? (details[0]?.message ?? '')
        : `${details.length} problems with the fixed lines; see details.`,
      details,
    )
  }
  return fixes
}
