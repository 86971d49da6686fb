import { open } from 'node:fs/promises'
import { refused, saveAsAdvice, type FileFormat } from './types.ts'

export const HEAD_BYTES = 64 * 1024

export interface Head {
  bytes: Buffer
  size: number
}

/** The first bytes of the file and its size. */
export async function readHead(path: string): Promise<Head> {
  const file = await open(path)
  try {
    const { size } = await file.stat()
    const bytes = Buffer.alloc(Math.min(size, HEAD_BYTES))
    const { bytesRead } = await file.read(bytes, 0, bytes.length, 0)
    return { bytes: bytes.subarray(0, bytesRead), size }
  } finally {
    await file.close()
  }
}

/** Reads `length` bytes at each of the given positions (fewer at the end of the file). */
export async function readBlocks(
  path: string,
  positions: number[],
  length: number,
): Promise<Buffer[]> {
  const file = await open(path)
  try {
    const blocks: Buffer[] = []
    for (const position of positions) {
      const block = Buffer.alloc(length)
      const { bytesRead } = await file.read(block, 0, length, position)
      blocks.push(block.subarray(0, bytesRead))
    }
    return blocks
  } finally {
    await file.close()
  }
}

const notASpreadsheet = (what: string) =>
  refused(`This file is ${what}, not a spreadsheet. ${saveAsAdvice}`)

const signatures: { bytes: number[]; refusal: () => Error }[] = [
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    refusal: () =>
      refused(
        'This is an old Excel file (.xls) or a password-protected workbook, which cannot be read. ' +
          'Open it in Excel, remove any password and save it as Excel Workbook (.xlsx) or CSV.',
      ),
  },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], refusal: () => notASpreadsheet('a PDF document') },
  { bytes: [0x89, 0x50, 0x4e, 0x47], refusal: () => notASpreadsheet('an image (PNG)') },
  { bytes: [0xff, 0xd8, 0xff], refusal: () => notASpreadsheet('an image (JPEG)') },
  { bytes: [0x47, 0x49, 0x46, 0x38], refusal: () => notASpreadsheet('an image (GIF)') },
  { bytes: [0x1f, 0x8b], refusal: () => notASpreadsheet('a compressed archive (gzip)') },
  { bytes: [0x52, 0x61, 0x72, 0x21], refusal: () => notASpreadsheet('a compressed archive (RAR)') },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], refusal: () => notASpreadsheet('a compressed archive (7z)') },
]

const zipSignatures = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
]

const startsWith = (bytes: Buffer, prefix: number[]) => prefix.every((b, i) => bytes[i] === b)

/**
 * xlsx for any zip (whether it holds a workbook is checked when it is opened), csv for anything
 * else that is not a known binary format; text-ness is checked once the text is decoded.
 */
export function detectFormat(head: Head): FileFormat {
  if (head.size === 0) throw refused('The file is empty.')
  if (zipSignatures.some((signature) => startsWith(head.bytes, signature))) return 'xlsx'
  const known = signatures.find(({ bytes }) => startsWith(head.bytes, bytes))
  if (known) throw known.refusal()
  return 'csv'
}

// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g
const MARKUP = /^\s*<(\?xml|!doctype html|html|table|head|body)\b/i

/** Refuses decoded text that is really a binary file, a web page or an XML file. */
export function checkText(text: string): void {
  const controls = text.match(CONTROL)?.length ?? 0
  if (controls > text.length / 100) {
    throw refused(`This file is not a CSV or Excel (.xlsx) file. ${saveAsAdvice}`)
  }
  if (MARKUP.test(text)) {
    throw refused(
      'This file is a web page (HTML) or an XML file, even if its name looks like a spreadsheet. ' +
        'Open it in Excel and save it as Excel Workbook (.xlsx) or CSV.',
    )
  }
}
