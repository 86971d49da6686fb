import { isUtf8 } from 'node:buffer'
import chardet, { type EncodingName } from 'chardet'
import iconv from 'iconv-lite'
import { checkText, readBlocks, type Head } from './sniff.ts'
import { refused, type Encoding } from './types.ts'

export interface Decoder {
  write(chunk: Buffer): string
  end(): string
}

/** A streaming decoder that drops the byte order mark; UTF-8 throws on bytes that are not UTF-8. */
export function createDecoder(encoding: Encoding): Decoder {
  if (encoding === 'utf-8') {
    const decoder = new TextDecoder('utf-8', { fatal: true })
    return {
      write: (chunk) => decoder.decode(chunk, { stream: true }),
      end: () => decoder.decode(),
    }
  }
  const decoder = iconv.getDecoder(encoding, { stripBOM: true })
  return { write: (chunk) => decoder.write(chunk), end: () => decoder.end() ?? '' }
}

const EXTRA_BLOCKS = 16
const BLOCK_BYTES = 16 * 1024

/**
 * BOM first, then UTF-16 by its NUL bytes, then UTF-8 if the bytes are valid UTF-8, else a
 * Western single-byte encoding. A head of plain ASCII says nothing, so blocks spread over the
 * rest of the file, down to its end, are checked too. An accent none of them sees makes the
 * reading stop with a refusal, never garbled text (the UTF-8 decoder is strict).
 */
export async function detectEncoding(path: string, head: Head): Promise<Encoding> {
  const bytes = head.bytes
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8'
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le'
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be'
  const utf16 = utf16ByNulBytes(bytes)
  if (utf16) return utf16
  // Bytes as Latin-1 characters: control characters here mean a binary file in any encoding.
  checkText(bytes.toString('latin1'))
  const whole = bytes.length === head.size
  if (!isUtf8Slice(bytes, false, !whole)) return singleByte(bytes)
  if (whole || !isAscii(bytes)) return 'utf-8'
  const step = Math.max(0, head.size - bytes.length - BLOCK_BYTES) / (EXTRA_BLOCKS - 1)
  const positions = Array.from({ length: EXTRA_BLOCKS }, (_, i) =>
    Math.floor(bytes.length + i * step),
  )
  for (const block of await readBlocks(path, positions, BLOCK_BYTES)) {
    if (!isAscii(block) && !isUtf8Slice(block, true, true)) return singleByte(block)
  }
  return 'utf-8'
}

function utf16ByNulBytes(bytes: Buffer): Encoding | undefined {
  const pairs = Math.min(bytes.length, 4096) >> 1
  if (pairs < 2) return undefined
  let evenNul = 0
  let oddNul = 0
  for (let i = 0; i < pairs; i++) {
    if (bytes[2 * i] === 0) evenNul++
    if (bytes[2 * i + 1] === 0) oddNul++
  }
  if (oddNul > pairs * 0.3 && evenNul < pairs * 0.05) return 'utf-16le'
  if (evenNul > pairs * 0.3 && oddNul < pairs * 0.05) return 'utf-16be'
  return undefined
}

const isAscii = (bytes: Buffer) => bytes.every((b) => b < 0x80)

/** Whether the bytes are UTF-8, forgiving a character cut at either end of the slice. */
function isUtf8Slice(bytes: Buffer, cutStart: boolean, cutEnd: boolean): boolean {
  let start = 0
  let end = bytes.length
  if (cutStart) while (start < 3 && start < end && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++
  if (cutEnd) {
    for (let i = end - 1; i >= Math.max(start, end - 3); i--) {
      const b = bytes[i] ?? 0
      if ((b & 0xc0) === 0x80) continue
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
      if (end - i < length) end = i
      break
    }
  }
  return isUtf8(bytes.subarray(start, end))
}

// chardet names these when the text is Cyrillic, Greek, Arabic, Hebrew, Thai or East Asian: read
// as windows-1252 it would be garbage, so the user is asked to save it as UTF-8 instead.
const nonWestern = new Set<EncodingName>([
  'Big5',
  'EUC-JP',
  'EUC-KR',
  'GB18030',
  'ISO-2022-CN',
  'ISO-2022-JP',
  'ISO-2022-KR',
  'ISO-8859-5',
  'ISO-8859-6',
  'ISO-8859-7',
  'ISO-8859-8',
  'KOI8-R',
  'Shift_JIS',
  'windows-1251',
  'windows-1253',
  'windows-1255',
  'windows-1256',
  'windows-874',
])

/** windows-1252 rather than ISO-8859-1: it is the superset Excel writes, with € and œ. */
function singleByte(sample: Buffer): Encoding {
  const best = chardet.analyse(sample)[0]
  if (best && nonWestern.has(best.name)) {
    throw refused(
      'The text of this file is in an encoding that cannot be read. Save it from Excel as ' +
        '"CSV UTF-8" and upload it again, or choose the encoding if you know it.',
    )
  }
  return 'windows-1252'
}
