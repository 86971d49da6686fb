import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32, deflateRawSync } from 'node:zlib'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { afterAll } from 'vitest'

/** A temporary folder for the test file's fixtures, removed after its tests. */
export async function fixtureDir(): Promise<(name: string) => string> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-read-'))
  afterAll(() => rm(dir, { recursive: true, force: true }))
  let n = 0
  return (name) => join(dir, `${n++}-${name}`)
}

/** Writes the text in the encoding, with its byte order mark when asked. */
export async function writeText(
  path: string,
  text: string,
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'iso-8859-1' = 'utf-8',
  bom = false,
): Promise<string> {
  await writeFile(path, iconv.encode(text, encoding, { addBOM: bom }))
  return path
}

/** Writes a workbook built with exceljs. */
export async function writeWorkbook(
  path: string,
  build: (workbook: ExcelJS.Workbook) => void,
): Promise<string> {
  const workbook = new ExcelJS.Workbook()
  build(workbook)
  await workbook.xlsx.writeFile(path)
  return path
}

export interface ZipPart {
  name: string
  data: Buffer | string
  /** A size to declare instead of the real one, as a forged archive would. */
  declaredSize?: number
}

/** A minimal zip writer (deflated entries), to build archives exceljs would never write. */
export async function writeZip(path: string, parts: ZipPart[]): Promise<string> {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const part of parts) {
    const data = Buffer.from(part.data)
    const compressed = deflateRawSync(data)
    const name = Buffer.from(part.name)
    const size = part.declaredSize ?? data.length
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc32(data), 14)
    local.writeUInt32LE(compressed.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(crc32(data), 16)
    central.writeUInt32LE(compressed.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, compressed)
    centrals.push(central, name)
    offset += local.length + name.length + compressed.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(parts.length, 8)
  end.writeUInt16LE(parts.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  await writeFile(path, Buffer.concat([...locals, directory, end]))
  return path
}

const contentTypes =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>'

/** The parts of a workbook whose workbook.xml lists the given sheets, each with its XML. */
export function workbookParts(sheets: { name: string; xml: string }[]): ZipPart[] {
  const main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
  const list = sheets
    .map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
    .join('')
  const rels = sheets
    .map(
      (_, i) =>
        `<Relationship Id="rId${i + 1}" Type="${rel}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
    )
    .join('')
  return [
    { name: '[Content_Types].xml', data: contentTypes },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${main}" xmlns:r="${rel}"><sheets>${list}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}</Relationships>`,
    },
    ...sheets.map((s, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: s.xml })),
  ]
}

export const sheetXml = (rows: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`

/** How many of this process's open file descriptors point at the file (Linux only). */
export async function openHandles(path: string): Promise<number> {
  const fds = await readdir('/proc/self/fd')
  const targets = await Promise.all(
    fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
  )
  return targets.filter((target) => target === path).length
}

export const canCountHandles = existsSync('/proc/self/fd')
