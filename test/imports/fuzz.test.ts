import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { nastyStrings, rng, type Rng } from '../fuzz.ts'
import { json, newOrg, testApp, testStore } from '../support.ts'
import { apiCall, upload, waitForImport, type ImportApi } from './helpers.ts'

// Seeded: the same files on every run.
const seed = 17_2027
const store = await testStore()
const app = await testApp(store, { workers: true })
const org = await newOrg(store)
const api: ImportApi = { app, key: org.key }

const header = 'Customer name;Customer ID;City;Country;Contact email;First name;Role;Main contact'
const rows = [
  'Société Générale;C1;Paris;FR;anne@sg.fr;Anne;Accounting;1',
  'Société Générale;C1;;;bob@sg.fr;Bob;sales;',
  'Zoë Müller GmbH;C2;Berlin;DE;zoe@zm.de;Zoë;;1',
]
const csv = Buffer.from([header, ...rows].join('\r\n'))

const workbook = new ExcelJS.Workbook()
const sheet = workbook.addWorksheet('Customers')
for (const line of [header, ...rows]) sheet.addRow(line.split(';'))
const xlsx = Buffer.from(await workbook.xlsx.writeBuffer())

/** Byte sequences that are not what a text field should hold. */
const badBytes = [
  [0x00],
  [0xe2, 0x80, 0xae],
  [0xe2, 0x81, 0xa6],
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0x80],
  [0x22],
  [0x3b],
  [0x0d],
  [0x0a],
  [0xef, 0xbb, 0xbf],
].map((bytes) => Buffer.from(bytes))

/** The CSV with bytes inserted, replaced, cut, or its fields made huge or misquoted. */
function mutateCsv(r: Rng): Buffer {
  let file = Buffer.from(csv)
  for (let i = 1 + r.int(4); i > 0; i--) {
    const at = r.int(file.length)
    switch (r.int(8)) {
      case 0:
      case 1:
        file = Buffer.concat([file.subarray(0, at), r.pick(badBytes), file.subarray(at)])
        break
      case 2:
        file = Buffer.concat([file.subarray(0, at), r.pick(badBytes), file.subarray(at + 1)])
        break
      case 3:
        file = file.subarray(0, at)
        break
      case 4:
        file = Buffer.concat([
          file.subarray(0, at),
          Buffer.from(r.pick(['x', 'é', '"'] as const).repeat(1 + r.int(30_000))),
          file.subarray(at),
        ])
        break
      case 5:
        file = Buffer.concat([
          file.subarray(0, at),
          Buffer.from(`"${r.pick(nastyStrings)}`),
          file.subarray(at),
        ])
        break
      case 6:
        file = Buffer.concat([file, Buffer.from(`\r\n${';'.repeat(r.int(300))}`)])
        break
      default:
        file = Buffer.concat([
          file,
          Buffer.from(`\r\n${r.pick(nastyStrings)};C${String(r.int(9))};${r.pick(nastyStrings)}`),
        ])
    }
  }
  return file
}

/** The workbook with bytes flipped, cut or added: a zip that is broken in a different place. */
function mutateXlsx(r: Rng): Buffer {
  const file = Buffer.from(xlsx)
  switch (r.int(4)) {
    case 0:
      for (let i = 1 + r.int(8); i > 0; i--) file[r.int(file.length)] = r.int(256)
      return file
    case 1:
      return file.subarray(0, r.int(file.length))
    case 2:
      return Buffer.concat([Buffer.from('PK\u0003\u0004'), file.subarray(r.int(file.length))])
    default:
      return Buffer.concat([file.subarray(0, r.int(file.length)), r.pick(badBytes)])
  }
}

/** A real workbook whose cells hold nasty text. */
async function nastyWorkbook(r: Rng): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  const page = book.addWorksheet(r.pick(['Customers', '\u202Esheet', 'x'.repeat(31)]))
  page.addRow(header.split(';'))
  for (let i = 0; i < 3; i++) {
    page.addRow(header.split(';').map(() => (r.chance(0.5) ? r.pick(nastyStrings) : 'ok')))
  }
  return Buffer.from(await book.xlsx.writeBuffer())
}

interface Failure {
  step: string
  file: string
  status: number
  answer: string
}

/**
 * Upload, list the first lines, map as suggested (the dry run stages every line) and, for some,
 * run to the end: any 5xx or failed run is a failure.
 */
async function tryImport(name: string, file: Buffer, run: boolean, failures: Failure[]) {
  const record = (step: string, res: { statusCode: number; body: string }) => {
    if (res.statusCode >= 500) {
      failures.push({ step, file: name, status: res.statusCode, answer: res.body.slice(0, 300) })
    }
    return res.statusCode < 300
  }
  const uploaded = await upload(app, org.key, name, file)
  if (!record('upload', uploaded)) return
  const { id, suggestedMapping } = json(uploaded)
  if (!record('lines', await apiCall(api, 'GET', `/imports/${String(id)}/lines?limit=5`))) return
  const mapped = await apiCall(api, 'PUT', `/imports/${String(id)}/mapping`, {
    mapping: suggestedMapping,
  })
  if (!record('mapping', mapped) || !run) return
  if (!record('start', await apiCall(api, 'POST', `/imports/${String(id)}/start`, {}))) return
  const finished = await waitForImport(api, String(id))
  if (finished.status === 'failed') {
    failures.push({ step: 'run', file: name, status: 0, answer: JSON.stringify(finished.error) })
  }
  record('rejected', await apiCall(api, 'GET', `/imports/${String(id)}/rejected-lines`))
}

// A hundred imports one after the other: a guard against hangs of a few minutes, not a speed check.
describe('fuzzed import files', () => {
  it('never answer 500 nor crash a run, whatever the CSV holds', async () => {
    const r = rng(seed)
    const failures: Failure[] = []
    for (let i = 0; i < 80; i++) {
      await tryImport(`fuzz-${String(i)}.csv`, mutateCsv(r), i % 20 === 0, failures)
    }
    expect(failures).toEqual([])
  }, 180_000)

  it('never answer 500 nor crash a run, whatever the workbook holds', async () => {
    const r = rng(seed + 1)
    const failures: Failure[] = []
    for (let i = 0; i < 40; i++) {
      await tryImport(`fuzz-${String(i)}.xlsx`, mutateXlsx(r), false, failures)
    }
    for (let i = 0; i < 10; i++) {
      await tryImport(`nasty-${String(i)}.xlsx`, await nastyWorkbook(r), i % 4 === 0, failures)
    }
    // A CSV named .xlsx, a workbook named .csv, and an archive of something else.
    await tryImport('text.xlsx', csv, false, failures)
    await tryImport('book.csv', xlsx, true, failures)
    await tryImport('empty.xlsx', Buffer.alloc(0), false, failures)
    expect(failures).toEqual([])
  }, 180_000)
})
