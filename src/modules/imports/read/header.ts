import type { FileRecord } from './types.ts'

export const HEADER_WINDOW = 20

const filled = (row: FileRecord) => row.cells.filter((cell) => cell !== '').length
const NUMBER_LIKE = /^[\d\s.,:/+\-()%€$£']*\d[\d\s.,:/+\-()%€$£']*$/

function mostlyText(row: FileRecord): boolean {
  const cells = row.cells.filter((cell) => cell !== '')
  return cells.filter((cell) => !NUMBER_LIKE.test(cell)).length * 2 > cells.length
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

/**
 * The header is the first of the top rows that is about as wide as the rows below it (one blank
 * column name allowed, never a lone cell) and mostly text: title lines such as "Export clients
 * 2026" are narrower, and it comes before the data rows, which are as wide. Without such a row,
 * the first one.
 */
export function detectHeader(rows: FileRecord[]): FileRecord | undefined {
  const top = rows.slice(0, HEADER_WINDOW)
  for (const [i, row] of top.entries()) {
    const below = rows.slice(i + 1, i + 1 + HEADER_WINDOW)
    if (below.length === 0) break
    const typical = median(below.map(filled))
    if (filled(row) >= Math.max(2, typical - 1) && mostlyText(row)) return row
  }
  return rows[0]
}

/** The header's cells, a blank one named by its position; trailing blank cells are dropped. */
export function columnsOf(header: FileRecord): string[] {
  const cells = [...header.cells]
  while (cells.at(-1) === '') cells.pop()
  return cells.map((cell, i) => cell || `Column ${i + 1}`)
}

/** A data record at least as wide as the header, padded with empty cells. */
export function padded(record: FileRecord, width: number): FileRecord {
  if (record.cells.length >= width) return record
  const cells = [...record.cells]
  while (cells.length < width) cells.push('')
  return { line: record.line, cells }
}
