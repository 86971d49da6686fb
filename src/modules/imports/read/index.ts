import { withoutBidiControls } from '../../../platform/http/text.ts'
import { decodeSample, csvRows, detectDelimiter } from './csv.ts'
import { detectEncoding } from './encoding.ts'
import { columnsOf, detectHeader, HEADER_WINDOW, padded } from './header.ts'
import { checkText, detectFormat, readHead } from './sniff.ts'
import {
  defaultReadLimits,
  delimiters,
  encodings,
  refused,
  type FileRecord,
  type Inspection,
  type ReadLimits,
  type ReadOptions,
  type ResolvedRead,
} from './types.ts'
import { openWorkbook, type Sheet, type Workbook } from './xlsx.ts'

export {
  defaultReadLimits,
  delimiters,
  encodings,
  type Delimiter,
  type Encoding,
  type FileFormat,
  type FileRecord,
  type Inspection,
  type ReadLimits,
  type ReadOptions,
  type ResolvedRead,
} from './types.ts'

const SAMPLE_SIZE = 20

/** Detects how to read the file (what the options leave open), its header row and a sample. */
export async function inspectFile(
  path: string,
  options: ReadOptions = {},
  limits: ReadLimits = defaultReadLimits,
): Promise<Inspection> {
  checkOptions(options)
  const head = await readHead(path)
  if (detectFormat(head) === 'xlsx') {
    const workbook = await openWorkbook(path, limits)
    try {
      const sheet = chooseSheet(workbook, options.sheet)
      const found = await findHeader(cleaned(workbook.rows(sheet)), options.headerRow, sheet.name)
      return {
        format: 'xlsx',
        encoding: null,
        delimiter: null,
        sheet: sheet.name,
        sheets: workbook.sheets.map(({ name }) => name),
        ...found,
      }
    } finally {
      workbook.close()
    }
  }
  const encoding = options.encoding ?? (await detectEncoding(path, head))
  const text = decodeSample(head.bytes, encoding)
  checkText(text)
  const delimiter = options.delimiter ?? detectDelimiter(text, head.bytes.length === head.size)
  const found = await findHeader(cleaned(csvRows(path, encoding, delimiter)), options.headerRow)
  return { format: 'csv', encoding, delimiter, sheet: null, sheets: [], ...found }
}

/**
 * Every data record after the header row, in order, one at a time with constant memory;
 * stopping early closes the file.
 */
export async function* readRecords(
  path: string,
  read: ResolvedRead,
  limits: ReadLimits = defaultReadLimits,
): AsyncGenerator<FileRecord> {
  let width = 0
  for await (const row of cleaned(rowsOf(path, read, limits))) {
    if (row.line === read.headerRow) width = columnsOf(row).length
    if (row.line > read.headerRow) yield padded(row, width)
  }
}

/**
 * The rows with bidirectional controls (which make text display otherwise than it reads) taken
 * out of every cell, the header's included: an import keeps the rest of the text, where the API
 * refuses the request. A NUL (which PostgreSQL text cannot hold) is not taken out silently: it
 * rejects its line with a reason (apply/line.ts), or the file when the header holds one.
 */
async function* cleaned(rows: AsyncGenerator<FileRecord>): AsyncGenerator<FileRecord> {
  for await (const row of rows) {
    yield { line: row.line, cells: row.cells.map(withoutBidiControls) }
  }
}

async function* rowsOf(
  path: string,
  read: ResolvedRead,
  limits: ReadLimits,
): AsyncGenerator<FileRecord> {
  if (read.format === 'csv') {
    if (!read.encoding || !read.delimiter) {
      throw new Error('A CSV is read with the encoding and delimiter its inspection resolved.')
    }
    yield* csvRows(path, read.encoding, read.delimiter)
    return
  }
  const workbook = await openWorkbook(path, limits)
  try {
    yield* workbook.rows(chooseSheet(workbook, read.sheet ?? undefined))
  } finally {
    workbook.close()
  }
}

function checkOptions(options: ReadOptions): void {
  const { encoding, delimiter, headerRow } = options
  if (encoding !== undefined && !encodings.includes(encoding)) {
    throw refused(
      `"${encoding}" is not an encoding that can be read. Choose one of ${encodings.join(', ')}.`,
    )
  }
  if (delimiter !== undefined && !delimiters.includes(delimiter)) {
    throw refused(
      `"${delimiter}" is not a separator that can be read. Choose a semicolon (;), a comma (,), ` +
        'a vertical bar (|) or a tab.',
    )
  }
  if (headerRow !== undefined && !(Number.isInteger(headerRow) && headerRow >= 1)) {
    throw refused('The header row must be a row number: 1 for the first row of the file.')
  }
}

/** The named sheet (its case aside), else the first visible one. */
function chooseSheet(workbook: Workbook, name: string | undefined): Sheet {
  const { sheets } = workbook
  if (name === undefined) return sheets.find((sheet) => !sheet.hidden) ?? (sheets[0] as Sheet)
  const sheet =
    sheets.find((s) => s.name === name) ??
    sheets.find((s) => s.name.toLowerCase() === name.trim().toLowerCase())
  if (!sheet) {
    const names = sheets.map((s) => `"${s.name}"`).join(', ')
    throw refused(`This workbook has no sheet named "${name}". Its sheets are: ${names}.`)
  }
  return sheet
}

/** Reads the top of the file: the header row (detected unless given) and the sample after it. */
async function findHeader(
  rows: AsyncGenerator<FileRecord>,
  headerRow: number | undefined,
  sheet?: string,
): Promise<Pick<Inspection, 'headerRow' | 'columns' | 'sample'>> {
  const top: FileRecord[] = []
  for await (const row of rows) {
    top.push(row)
    const enough =
      headerRow === undefined
        ? top.length >= HEADER_WINDOW + SAMPLE_SIZE
        : top.filter(({ line }) => line > headerRow).length >= SAMPLE_SIZE
    if (enough) break
  }
  if (top.length === 0) {
    throw refused(sheet === undefined ? 'The file is empty.' : `The sheet "${sheet}" is empty.`)
  }
  const header =
    headerRow === undefined ? detectHeader(top) : top.find(({ line }) => line === headerRow)
  if (!header) {
    throw refused(
      `Row ${headerRow} is empty or beyond the end of the file. Choose the row that holds the ` +
        'column names.',
    )
  }
  const columns = columnsOf(header)
  if (columns.some((column) => column.includes('\u0000'))) {
    throw refused(
      'The header row holds a NUL character (an invisible byte 0); delete it and upload the file again.',
    )
  }
  const sample = top
    .filter(({ line }) => line > header.line)
    .slice(0, SAMPLE_SIZE)
    .map((row) => padded(row, columns.length))
  if (sample.length === 0) {
    throw refused(
      `The column names are on row ${header.line} but there are no data lines below them. Add ` +
        'your customers or contacts under the column names and upload the file again.',
    )
  }
  return { headerRow: header.line, columns, sample }
}
