import { createWriteStream } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import {
  inspectFile,
  readRecords,
  type FileRecord,
  type ReadOptions,
  type ResolvedRead,
} from '../../src/modules/imports/read/index.ts'
import { AppError } from '../../src/platform/errors.ts'
import { canCountHandles, fixtureDir, openHandles, writeText } from './files.ts'

const file = await fixtureDir()

async function all(path: string, read: ResolvedRead): Promise<FileRecord[]> {
  const records: FileRecord[] = []
  for await (const record of readRecords(path, read)) records.push(record)
  return records
}

/** Inspects the file, then reads every record the way the import will. */
async function read(path: string, options?: ReadOptions) {
  const inspection = await inspectFile(path, options)
  return { inspection, records: await all(path, inspection) }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  expect((error as AppError).code).toBe('file_refused')
  return (error as AppError).message
}

const accents = 'Nom;Ville;Note\nSociété Générale;Paris;€ 12\nZoë;Genève;\nMüller;Köln;ok\n'
const accentRows = [
  ['Société Générale', 'Paris', '€ 12'],
  ['Zoë', 'Genève', ''],
  ['Müller', 'Köln', 'ok'],
]

describe('reading a CSV file', () => {
  it.each([
    ['utf-8', true],
    ['utf-8', false],
    ['utf-16le', true],
    ['utf-16le', false],
    ['utf-16be', true],
    ['utf-16be', false],
    ['windows-1252', false],
  ] as const)('keeps every accent of a %s file (byte order mark: %s)', async (encoding, bom) => {
    const path = await writeText(file('accents.csv'), accents, encoding, bom)
    const { inspection, records } = await read(path)
    expect(inspection).toMatchObject({ format: 'csv', encoding, delimiter: ';', headerRow: 1 })
    expect(inspection.columns).toEqual(['Nom', 'Ville', 'Note'])
    expect(records.map((r) => r.cells)).toEqual(accentRows)
  })

  it('reads an ISO-8859-1 file as windows-1252, its superset', async () => {
    const path = await writeText(file('latin1.csv'), 'Nom,Ville\nZoë Müller,Genève\n', 'iso-8859-1')
    const { inspection, records } = await read(path)
    expect(inspection.encoding).toBe('windows-1252')
    expect(records[0]?.cells).toEqual(['Zoë Müller', 'Genève'])
  })

  it('detects windows-1252 from an accent far below a plain-ASCII start', async () => {
    const lines = ['Name;City', ...Array.from({ length: 40_000 }, (_, i) => `Customer ${i};London`)]
    const path = await writeText(
      file('late-accent.csv'),
      `${lines.join('\n')}\nZoë;Orléans\n`,
      'windows-1252',
    )
    const { inspection, records } = await read(path)
    expect(inspection.encoding).toBe('windows-1252')
    expect(records.at(-1)).toEqual({ line: 40_002, cells: ['Zoë', 'Orléans'] })
  })

  it('refuses, rather than garbles, a line further down that is not UTF-8', async () => {
    const lines = ['Name;City', ...Array.from({ length: 40_000 }, (_, i) => `Customer ${i};London`)]
    const text = `${lines.join('\n')}\nZoë;Orléans\n`
    const path = await writeText(file('late-accent-utf8.csv'), text, 'windows-1252')
    const inspection = await inspectFile(path, { encoding: 'utf-8' })
    expect(await refusal(all(path, inspection))).toMatch(/not valid UTF-8/)
  })

  it('asks for UTF-8 when the text is in a non-Western encoding', async () => {
    const lines = ['Имя;Город', ...Array.from({ length: 50 }, (_, i) => `Иван Петров ${i};Москва`)]
    const path = file('cyrillic.csv')
    await writeFile(path, iconv.encode(lines.join('\n'), 'windows-1251'))
    expect(await refusal(inspectFile(path))).toMatch(/Save it from Excel as "CSV UTF-8"/)
  })

  it('reads with the encoding the user chose', async () => {
    const path = await writeText(file('chosen.csv'), 'Nom;Ville\nZoë;Genève\n', 'windows-1252')
    const { inspection, records } = await read(path, { encoding: 'iso-8859-1' })
    expect(inspection.encoding).toBe('iso-8859-1')
    expect(records[0]?.cells).toEqual(['Zoë', 'Genève'])
  })

  it('refuses a windows-1252 file read as UTF-8, saying which encoding to choose', async () => {
    const path = await writeText(file('wrong.csv'), 'Nom;Ville\nZoë;Genève\n', 'windows-1252')
    expect(await refusal(inspectFile(path, { encoding: 'utf-8' }))).toMatch(/Choose windows-1252/)
  })

  it.each([
    [';', 'Nom;Ville;Pays\nACME;"Paris, France";FR\nBeta;Lyon;FR\n'],
    [',', 'Nom,Ville,Pays\nACME,"Paris; France",FR\nBeta,Lyon,FR\n'],
    ['|', 'Nom|Ville|Pays\nACME|Paris, France|FR\nBeta|Lyon|FR\n'],
    ['\t', 'Nom\tVille\tPays\nACME\tParis, France\tFR\nBeta\tLyon\tFR\n'],
  ] as const)('detects the %j separator', async (delimiter, text) => {
    const path = await writeText(file('separator.csv'), text)
    const { inspection, records } = await read(path)
    expect(inspection.delimiter).toBe(delimiter)
    expect(inspection.columns).toEqual(['Nom', 'Ville', 'Pays'])
    expect(records.map((r) => r.cells.length)).toEqual([3, 3])
  })

  it('is not fooled by commas inside quoted cells of a semicolon file', async () => {
    const text =
      'Nom;Adresse\n"Dupont, Durand et Cie";"1, rue de la Paix, Paris"\n"A, B, C";"2, avenue Foch"\n'
    const { inspection, records } = await read(await writeText(file('quoted.csv'), text))
    expect(inspection.delimiter).toBe(';')
    expect(records[0]?.cells).toEqual(['Dupont, Durand et Cie', '1, rue de la Paix, Paris'])
  })

  it('reads with the separator the user chose', async () => {
    const path = await writeText(file('chosen-sep.csv'), 'a,b;c\n1,2;3\n')
    const { inspection, records } = await read(path, { delimiter: ';' })
    expect(inspection.columns).toEqual(['a,b', 'c'])
    expect(records[0]?.cells).toEqual(['1,2', '3'])
  })

  it('reads doubled quotes and line breaks inside quoted cells', async () => {
    const text = 'Nom;Note\r\n"ACME ""Paris""";"line one\r\nline two\nline three"\r\nBeta;x\r\n'
    const { records } = await read(await writeText(file('multiline.csv'), text))
    expect(records).toEqual([
      { line: 2, cells: ['ACME "Paris"', 'line one\r\nline two\nline three'] },
      { line: 3, cells: ['Beta', 'x'] },
    ])
  })

  it.each([
    ['CRLF', '\r\n'],
    ['LF', '\n'],
    ['CR', '\r'],
  ])('reads %s line endings', async (_, eol) => {
    const text = ['Nom;Ville', 'ACME;Paris', '"Beta', 'Corp";Lyon', ''].join(eol)
    const { records } = await read(await writeText(file('eol.csv'), text))
    expect(records).toEqual([
      { line: 2, cells: ['ACME', 'Paris'] },
      { line: 3, cells: [`Beta${eol}Corp`, 'Lyon'] },
    ])
  })

  it('numbers records as a spreadsheet shows them: blank lines count, line breaks in a cell do not', async () => {
    const text = 'Nom;Note\n\nACME;"a\nb\nc"\n;\n  \nBeta;x\n\n'
    const { records } = await read(await writeText(file('lines.csv'), text))
    expect(records.map((r) => r.line)).toEqual([3, 6])
  })

  it('skips title lines above the header', async () => {
    const text =
      'Export clients 2026\n\nGénéré le;2026-03-01\nNom;Email;Ville\nACME;a@acme.example;Paris\nBeta;b@beta.example;Lyon\n'
    const { inspection, records } = await read(await writeText(file('title.csv'), text))
    expect(inspection.headerRow).toBe(4)
    expect(inspection.columns).toEqual(['Nom', 'Email', 'Ville'])
    expect(records.map((r) => r.line)).toEqual([5, 6])
  })

  it('takes the header row the user chose', async () => {
    const text = 'Nom;Ville\nCode;Libellé\nA1;Paris\n'
    const { inspection, records } = await read(await writeText(file('header.csv'), text), {
      headerRow: 2,
    })
    expect(inspection.columns).toEqual(['Code', 'Libellé'])
    expect(records).toEqual([{ line: 3, cells: ['A1', 'Paris'] }])
  })

  it('refuses a header row that is blank or past the end', async () => {
    const path = await writeText(file('header-blank.csv'), 'Nom;Ville\n\nACME;Paris\n')
    expect(await refusal(inspectFile(path, { headerRow: 2 }))).toMatch(/Row 2 is empty/)
    expect(await refusal(inspectFile(path, { headerRow: 9 }))).toMatch(/Row 9 is empty/)
    expect(await refusal(inspectFile(path, { headerRow: 0 }))).toMatch(/row number/)
  })

  it('keeps cells as typed text, trimmed, never as numbers', async () => {
    const text = 'Code;Téléphone;Montant\n 00123 ;+33 6 12 34 56 78;1 234,50\n'
    const { records } = await read(await writeText(file('text.csv'), text))
    expect(records[0]?.cells).toEqual(['00123', '+33 6 12 34 56 78', '1 234,50'])
  })

  it('names blank header cells by position and pads short rows, keeping long ones', async () => {
    const text = 'Nom;;Ville;;\nACME\nBeta;x;Lyon;extra;more;most\n'
    const { inspection, records } = await read(await writeText(file('widths.csv'), text))
    expect(inspection.columns).toEqual(['Nom', 'Column 2', 'Ville'])
    expect(records.map((r) => r.cells)).toEqual([
      ['ACME', '', ''],
      ['Beta', 'x', 'Lyon', 'extra', 'more', 'most'],
    ])
  })

  it('samples the first 20 records after the header', async () => {
    const lines = ['Nom;N°', ...Array.from({ length: 50 }, (_, i) => `Client ${i};${i}`)]
    const inspection = await inspectFile(await writeText(file('sample.csv'), lines.join('\n')))
    expect(inspection.sample).toHaveLength(20)
    expect(inspection.sample[0]).toEqual({ line: 2, cells: ['Client 0', '0'] })
  })

  it('reads cells with accents and line breaks across chunk boundaries', async () => {
    const row = (i: number) => `${i};"Société Générale\nZoë Müller ${i}";€`
    const lines = ['N;Nom;Devise', ...Array.from({ length: 20_000 }, (_, i) => row(i))]
    for (const encoding of ['utf-8', 'windows-1252'] as const) {
      const path = await writeText(file('chunks.csv'), lines.join('\r\n'), encoding)
      const { inspection, records } = await read(path)
      expect(inspection.encoding).toBe(encoding)
      expect(records).toHaveLength(20_000)
      records.forEach((record, i) => {
        expect(record).toEqual({
          line: i + 2,
          cells: [String(i), `Société Générale\nZoë Müller ${i}`, '€'],
        })
      })
    }
  })

  it('refuses a file with a quote that never closes', async () => {
    const small = await writeText(file('unclosed.csv'), 'Nom;Ville\nACME;"Paris\nBeta;Lyon\n')
    expect(await refusal(inspectFile(small))).toMatch(/^Line 2 has a quote \("\) that is never/)
    const rest = Array.from({ length: 100_000 }, (_, i) => `C${i};Lyon`).join('\n')
    const big = await writeText(file('unclosed-big.csv'), `Nom;Ville\nACME;"Paris\n${rest}\n`)
    expect(await refusal(inspectFile(big))).toMatch(/^Line 2 has a quote/)
  })

  it('streams a 200 000-line file with little memory', async () => {
    const path = file('big.csv')
    const out = createWriteStream(path)
    out.write('Nom;Email;Ville;Code\n')
    for (let i = 0; i < 200_000; i++) {
      if (!out.write(`Client ${i};client${i}@example.com;Paris;${String(i).padStart(6, '0')}\n`)) {
        await once(out, 'drain')
      }
    }
    out.end()
    await once(out, 'finish')
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    gc()
    const before = process.memoryUsage().heapUsed
    let peak = 0
    let count = 0
    for await (const record of readRecords(path, await inspectFile(path))) {
      count++
      if (count % 20_000 === 0) {
        gc()
        peak = Math.max(peak, process.memoryUsage().heapUsed - before)
      }
      if (count === 200_000) expect(record.cells[3]).toBe('199999')
    }
    expect(count).toBe(200_000)
    expect(peak).toBeLessThan(50 * 1024 * 1024)
  }, 120_000)

  it.runIf(canCountHandles)('closes the file when the reader stops early', async () => {
    const lines = ['Nom;Ville', ...Array.from({ length: 50_000 }, (_, i) => `C${i};Paris`)]
    const path = await writeText(file('early.csv'), lines.join('\n'))
    const inspection = await inspectFile(path)
    expect(await openHandles(path)).toBe(0)
    for await (const record of readRecords(path, inspection)) {
      expect(await openHandles(path)).toBe(1)
      if (record.line === 10) break
    }
    expect(await openHandles(path)).toBe(0)
  })
})

describe('refusing a file', () => {
  it('refuses an empty file', async () => {
    const path = file('empty.csv')
    await writeFile(path, '')
    expect(await refusal(inspectFile(path))).toBe('The file is empty.')
  })

  it('refuses a file of blank lines as empty', async () => {
    const path = await writeText(file('blank.csv'), '\n \r\n;;\n')
    expect(await refusal(inspectFile(path))).toBe('The file is empty.')
  })

  it('refuses a file with column names but no data', async () => {
    const path = await writeText(file('header-only.csv'), 'Nom;Email;Ville\r\n\r\n')
    expect(await refusal(inspectFile(path))).toBe(
      'The column names are on row 1 but there are no data lines below them. Add your ' +
        'customers or contacts under the column names and upload the file again.',
    )
  })

  it.each([
    ['PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'), /a PDF/],
    ['PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), /image/],
    [
      'old .xls',
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]),
      /old Excel file \(\.xls\).*save it as Excel Workbook \(\.xlsx\) or CSV/,
    ],
    [
      'random bytes',
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
      /not a CSV or Excel/,
    ],
    [
      'web page',
      Buffer.from('<html><body><table><tr><td>Nom</td></tr></table></body></html>'),
      /web page/,
    ],
  ])('refuses a %s, saying what to upload instead', async (_, bytes, message) => {
    const path = file('binary')
    await writeFile(path, bytes)
    expect(await refusal(inspectFile(path))).toMatch(message)
  })

  it('refuses an encoding or a separator it cannot read', async () => {
    const path = await writeText(file('options.csv'), 'a;b\n1;2\n')
    const encoding = 'latin-9' as ReadOptions['encoding']
    const delimiter = ':' as ReadOptions['delimiter']
    expect(await refusal(inspectFile(path, { encoding }))).toMatch(/"latin-9" is not an encoding/)
    expect(await refusal(inspectFile(path, { delimiter }))).toMatch(/":" is not a separator/)
  })
})
