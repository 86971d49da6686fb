import { createReadStream } from 'node:fs'
import Papa from 'papaparse'
import { createDecoder, type Decoder } from './encoding.ts'
import { delimiters, refused, type Delimiter, type Encoding, type FileRecord } from './types.ts'

type Newline = '\r\n' | '\n' | '\r'

interface Parsed {
  data: string[][]
  errors: { code: string; row?: number }[]
  meta: { cursor: number }
}

const CHUNK_BYTES = 64 * 1024
// Excel cells hold at most 32 767 characters; a "row" far longer is a quote that never closes.
const MAX_ROW_CHARS = 1024 * 1024
const DELIMITER_ROWS = 50

function parse(text: string, delimiter: Delimiter, newline: Newline, complete: boolean): Parsed {
  const parser = new Papa.Parser({ delimiter, newline, quoteChar: '"' })
  return parser.parse(text, 0, !complete) as Parsed
}

/** The line ending used outside quoted cells, where Excel keeps its in-cell line breaks. */
export function detectNewline(text: string): Newline {
  const counts = { '\r\n': 0, '\n': 0, '\r': 0 }
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') quoted = !quoted
    else if (quoted) continue
    else if (c === '\n') counts['\n']++
    else if (c === '\r') {
      if (text[i + 1] === '\n') {
        counts['\r\n']++
        i++
      } else counts['\r']++
    }
  }
  if (counts['\r\n'] >= counts['\n'] && counts['\r\n'] >= counts['\r'] && counts['\r\n'] > 0) {
    return '\r\n'
  }
  return counts['\r'] > counts['\n'] ? '\r' : '\n'
}

const isBlank = (cells: string[]) => cells.every((cell) => cell.trim() === '')

/**
 * The separator giving the same number of cells (more than one) on the most lines, separators
 * inside quotes not counting; on a tie, the one giving more cells.
 */
export function detectDelimiter(sample: string, complete: boolean): Delimiter {
  const newline = detectNewline(sample)
  let best: { delimiter: Delimiter; width: number; share: number } | undefined
  for (const delimiter of delimiters) {
    const widths = parse(sample, delimiter, newline, complete)
      .data.filter((cells) => !isBlank(cells))
      .slice(0, DELIMITER_ROWS)
      .map((cells) => cells.length)
    const frequency = new Map<number, number>()
    for (const width of widths) frequency.set(width, (frequency.get(width) ?? 0) + 1)
    for (const [width, count] of frequency) {
      const share = count / widths.length
      if (width < 2) continue
      if (!best || share > best.share || (share === best.share && width > best.width)) {
        best = { delimiter, width, share }
      }
    }
  }
  if (best) return best.delimiter
  // One column: any separator reads its cells alike; the most frequent keeps ";;;" rows blank.
  const count = (d: Delimiter) => sample.split(d).length
  return [...delimiters].sort((a, b) => count(b) - count(a))[0] ?? ';'
}

/** The decoded start of a file, for detection. */
export function decodeSample(bytes: Buffer, encoding: Encoding): string {
  return decode(createDecoder(encoding), bytes)
}

/** The chunk's text, or the decoder's last characters when there is no chunk. */
function decode(decoder: Decoder, chunk?: Buffer): string {
  try {
    return chunk ? decoder.write(chunk) : decoder.end()
  } catch {
    // Only the UTF-8 decoder throws.
    throw refused(
      'The file is not valid UTF-8 text: it was probably saved in another encoding. Choose ' +
        'windows-1252, the usual one of Excel on Windows, and try again.',
    )
  }
}

const unclosedQuote = (line: number) =>
  refused(
    `Line ${line} has a quote (") that is never closed, so the rest of the file would be read ` +
      'as a single cell. Check the quotes on that line, or save the file again from Excel.',
  )

/**
 * Every non-blank row of the file, cells trimmed, numbered as a spreadsheet shows them: blank
 * lines count, a cell with line breaks does not. The file is read a chunk at a time; returning
 * early closes it.
 */
export async function* csvRows(
  path: string,
  encoding: Encoding,
  delimiter: Delimiter,
): AsyncGenerator<FileRecord> {
  const decoder = createDecoder(encoding)
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES })
  let newline: Newline | undefined
  let pending = ''
  let line = 0
  function* records(rows: string[][]): Generator<FileRecord> {
    for (const cells of rows) {
      line++
      if (!isBlank(cells)) yield { line, cells: cells.map((cell) => cell.trim()) }
    }
  }
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      pending += decode(decoder, chunk)
      newline ??= detectNewline(pending)
      const parsed = parse(pending, delimiter, newline, false)
      pending = pending.slice(parsed.meta.cursor)
      if (pending.length > MAX_ROW_CHARS) throw unclosedQuote(line + parsed.data.length + 1)
      yield* records(parsed.data)
    }
    pending += decode(decoder)
    if (pending === '') return
    const parsed = parse(pending, delimiter, newline ?? detectNewline(pending), true)
    const missing = parsed.errors.find((error) => error.code === 'MissingQuotes')
    if (missing) throw unclosedQuote(line + (missing.row ?? 0) + 1)
    yield* records(parsed.data)
  } finally {
    file.destroy()
  }
}
