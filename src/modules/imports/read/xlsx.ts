import { posix } from 'node:path'
import type { Readable } from 'node:stream'
import type { Row } from 'exceljs'
import { cellText } from './cells.ts'
import { refused, type FileRecord, type ReadLimits } from './types.ts'
import { asRefusal, notAWorkbook, openZip, type Zip } from './zip.ts'

/**
 * exceljs's streaming WorkbookReader reads the zip front to back and parks every worksheet met
 * before the shared strings (Excel writes them first) in a temporary file, left behind when the
 * reading stops early. Its parts are fed here from yauzl instead, which reads any entry at any
 * time: only the chosen sheet is inflated and nothing touches the disk. exceljs is pinned.
 */
interface WorkbookParts {
  _parseRels(entry: AsyncIterable<string>): Promise<void>
  _parseWorkbook(entry: AsyncIterable<string>): Promise<void>
  _parseStyles(entry: AsyncIterable<string>): Promise<void>
  _parseSharedStrings(entry: AsyncIterable<string>): AsyncGenerator
  _parseWorksheet(
    xml: AsyncIterable<string>,
    sheetNo: string,
  ): Generator<{ value: AsyncIterable<Row> }, void>
  workbookRels?: { Id: string; Type: string; Target: string }[]
  model?: { sheets?: ({ name: string; rId: string; state?: string } | undefined)[] }
  properties?: { model?: { date1904?: boolean } }
}

export interface Sheet {
  name: string
  hidden: boolean
  path: string
}

export interface Workbook {
  /** The worksheets in the workbook's order (chart sheets left out). */
  sheets: Sheet[]
  /** The sheet's non-blank rows, cells as text, numbered as the worksheet numbers them. */
  rows(sheet: Sheet): AsyncGenerator<FileRecord>
  close(): void
}

const WORKSHEET = /\/worksheet$/

/** Opens the workbook (refusing it if it is not one), reading its sheets, styles and strings. */
export async function openWorkbook(path: string, limits: ReadLimits): Promise<Workbook> {
  const zip = await openZip(path, limits)
  try {
    if (!zip.entries.has('xl/workbook.xml')) throw notAWorkbook(zip.entries)
    const parts = new (await excel()).stream.xlsx.WorkbookReader(path, {
      sharedStrings: 'cache',
      styles: 'cache',
      worksheets: 'emit',
      hyperlinks: 'ignore',
    }) as unknown as WorkbookParts
    const text = (name: string) => entryText(zip, name)
    await parts._parseWorkbook(await text('xl/workbook.xml'))
    if (zip.entries.has('xl/_rels/workbook.xml.rels')) {
      await parts._parseRels(await text('xl/_rels/workbook.xml.rels'))
    }
    if (zip.entries.has('xl/styles.xml')) await parts._parseStyles(await text('xl/styles.xml'))
    if (zip.entries.has('xl/sharedStrings.xml')) {
      const strings = parts._parseSharedStrings(await text('xl/sharedStrings.xml'))
      // With sharedStrings: 'cache' it yields nothing: iterating it is what caches the strings.
      while (!(await strings.next()).done);
    }
    const sheets = worksheetsOf(parts, zip)
    if (sheets.length === 0) {
      throw refused(
        'This workbook has no worksheet to read. Add a sheet with your customers or contacts, ' +
          'or save the data as CSV.',
      )
    }
    const date1904 = parts.properties?.model?.date1904 ?? false
    return {
      sheets,
      rows: (sheet) => sheetRows(zip, parts, sheet, date1904),
      close: () => {
        zip.close()
      },
    }
  } catch (error) {
    zip.close()
    throw asRefusal(error)
  }
}

/** An entry as UTF-8 text: exceljs decodes each buffer alone and would split an accent in two. */
async function entryText(zip: Zip, name: string): Promise<Readable> {
  const entry = zip.entries.get(name)
  if (!entry) throw refused(`This workbook is missing its part ${name}.`)
  return (await zip.open(entry)).setEncoding('utf8')
}

function worksheetsOf(parts: WorkbookParts, zip: Zip): Sheet[] {
  const rels = new Map((parts.workbookRels ?? []).map((rel) => [rel.Id, rel]))
  const sheets: Sheet[] = []
  for (const sheet of parts.model?.sheets ?? []) {
    const rel = sheet && rels.get(sheet.rId)
    if (!sheet || !rel || !WORKSHEET.test(rel.Type)) continue
    const path = rel.Target.startsWith('/')
      ? rel.Target.slice(1)
      : posix.normalize(posix.join('xl', rel.Target))
    if (!zip.entries.has(path)) continue
    sheets.push({ name: sheet.name, hidden: (sheet.state ?? 'visible') !== 'visible', path })
  }
  return sheets
}

async function* sheetRows(
  zip: Zip,
  parts: WorkbookParts,
  sheet: Sheet,
  date1904: boolean,
): AsyncGenerator<FileRecord> {
  const xml = await entryText(zip, sheet.path)
  try {
    const worksheet = parts._parseWorksheet(errorsAsText(xml), sheet.name).next().value
    if (!worksheet) return
    let previous = 0
    for await (const row of worksheet.value) {
      // A row without its number (some generators omit it) follows the previous one.
      const line = Number.isNaN(row.number) ? previous + 1 : row.number
      previous = line
      const cells = Array.from({ length: row.cellCount }, () => '')
      row.eachCell((cell, column) => {
        cells[column - 1] = cellText(cell.value, cell.numFmt, date1904).trim()
      })
      if (cells.some((cell) => cell !== '')) yield { line, cells }
    }
  } catch (error) {
    throw asRefusal(error)
  } finally {
    xml.destroy()
  }
}

const ERROR_CELL = /(<c\s[^>]*?\st=")e"/g

/**
 * Marks error cells (t="e") as text cells, tag by tag across chunks: exceljs reads the cached
 * #N/A of a formula as a number, NaN, but keeps a text result as typed.
 */
async function* errorsAsText(xml: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = ''
  for await (const chunk of xml) {
    const text = carry + chunk
    const open = text.lastIndexOf('<')
    const end = open > text.lastIndexOf('>') ? open : text.length
    carry = text.slice(end)
    yield text.slice(0, end).replace(ERROR_CELL, '$1str"')
  }
  yield carry
}

/** exceljs, loaded on first use: it is large, and most commands never read a workbook. */
async function excel(): Promise<typeof import('exceljs')> {
  return (await import('exceljs')).default
}
