import Papa from 'papaparse'
import type { DbOrTx } from '../../platform/db/client.ts'
import { FORMULA_START } from '../customers/export.ts'
import type { ImportRow } from './apply/run.ts'
import { localCopy } from './file-store.ts'
import { rejectedLines, type RejectedLine } from './imports.queries.ts'
import { readRecords } from './read/index.ts'

/**
 * The rejected lines as a CSV to fix and upload again: the file's own columns, as read, plus an
 * Error column with every problem of the line (each after its column when there are several). Walks the file and the rejections together, both in line order,
 * so neither is held in memory.
 */
export async function* rejectedLinesCsv(db: DbOrTx, row: ImportRow): AsyncGenerator<string> {
  const { read, columns } = row
  const delimiter = read.format === 'csv' && read.delimiter ? read.delimiter : ';'
  const line = (cells: string[]): string =>
    Papa.unparse([cells], { delimiter, newline: '\r\n', escapeFormulae: FORMULA_START }) + '\r\n'
  yield '\uFEFF' + line([...columns, 'Error'])

  let page: RejectedLine[] = await rejectedLines(db, row.organizationId, row.id, 0, 1000)
  if (page.length === 0) return
  let index = 0
  const path = await localCopy(db, {
    organizationId: row.organizationId,
    importId: row.id,
    sha256: row.fileSha256,
    size: row.fileSize,
  })
  for await (const record of readRecords(path, read)) {
    let rejection = page[index]
    while (rejection && rejection.line < record.line) rejection = page[++index]
    if (!rejection) {
      const last = page[page.length - 1]
      if (!last) return
      page = await rejectedLines(db, row.organizationId, row.id, last.line, 1000)
      index = 0
      rejection = page[0]
      if (!rejection) return
    }
    if (rejection.line !== record.line) continue
    const cells = columns.map((_, i) => record.cells[i] ?? '')
    yield line([...cells, errorText(rejection)])
  }
}

/**
 * The cells of the rejected lines after `afterLine`, a page of them, as the file has them: what
 * the import's page shows to fix them.
 */
export async function rejectedCells(
  db: DbOrTx,
  row: ImportRow,
  afterLine: number,
  limit: number,
): Promise<{ line: number; cells: string[] }[]> {
  const wanted = new Set<number>()
  for (let after = afterLine; wanted.size < limit;) {
    const page = await rejectedLines(db, row.organizationId, row.id, after, limit)
    for (const rejection of page) if (wanted.size < limit) wanted.add(rejection.line)
    const last = page[page.length - 1]
    if (!last || page.length < limit) break
    after = last.line
  }
  if (wanted.size === 0) return []
  const last = Math.max(...wanted)
  const path = await localCopy(db, {
    organizationId: row.organizationId,
    importId: row.id,
    sha256: row.fileSha256,
    size: row.fileSize,
  })
  const found: { line: number; cells: string[] }[] = []
  for await (const record of readRecords(path, row.read)) {
    if (wanted.has(record.line)) {
      found.push({ line: record.line, cells: row.columns.map((_, i) => record.cells[i] ?? '') })
    }
    if (record.line >= last) break
  }
  return found
}

function errorText(rejection: RejectedLine): string {
  if (rejection.problems.length <= 1) return rejection.reason
  return rejection.problems
    .map((problem) => (problem.column ? `${problem.column}: ${problem.reason}` : problem.reason))
    .join(' | ')
}
