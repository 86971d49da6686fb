import { createWriteStream } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import ExcelJS from 'exceljs'
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
import {
  canCountHandles,
  fixtureDir,
  openHandles,
  sheetXml,
  workbookParts,
  writeText,
  writeWorkbook,
  writeZip,
} from './files.ts'

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

describe('text no field keeps', () => {
  it('is taken out of every cell, the header’s included: bidirectional controls (a NUL stays, to be refused)', async () => {
    // A NUL in the first 64 KB makes the file look binary (refused); one further on is read.
    const filler = Array.from({ length: 2000 }, (_, i) => `Filler ${String(i)};F${String(i)}`)
    const path = await writeText(
      file('unsafe.csv'),
      [
        'Customer name;Customer ID\u202E',
        'Acme SA;X3\u202Egnp.exe',
        ...filler,
        '\u2066Dune\u0000\u2069;D\u00001',
      ].join('\r\n'),
    )
    const read = await inspectFile(path)
    expect(read.columns).toEqual(['Customer name', 'Customer ID'])
    const cells = (await all(path, read)).map((record) => record.cells)
    expect(cells[0]).toEqual(['Acme SA', 'X3gnp.exe'])
    expect(cells.at(-1)).toEqual(['Dune\u0000', 'D\u00001'])
    const workbook = await writeWorkbook(file('unsafe.xlsx'), (book) => {
      const sheet = book.addWorksheet('Customers')
      sheet.addRow(['Customer name', 'Customer ID\u202E'])
      sheet.addRow(['Acme\u202D SA', 'X\u2067 1'])
    })
    const readBook = await inspectFile(workbook)
    expect(readBook.columns).toEqual(['Customer name', 'Customer ID'])
    expect((await all(workbook, readBook)).map((record) => record.cells)).toEqual([
      ['Acme SA', 'X 1'],
    ])
  })
})

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

describe('reading an xlsx workbook', () => {
  const clients = (workbook: ExcelJS.Workbook) => {
    const sheet = workbook.addWorksheet('Clients')
    sheet.addRow(['Code', 'Nom', 'Zip', 'Téléphone', 'Créé le', 'Total', 'Actif', 'Site'])
    const row = sheet.addRow([
      '00123',
      { richText: [{ text: 'Société ' }, { font: { bold: true }, text: 'Générale' }] },
      123,
      33612345678,
      new Date(Date.UTC(2026, 2, 5)),
      { formula: 'C2*2', result: 246 },
      true,
      { text: 'acme.example', hyperlink: 'https://acme.example' },
    ])
    row.getCell(3).numFmt = '00000'
    sheet.addRow([
      ' Zoë ',
      { formula: 'A3&"!"', result: 'Zoë !' },
      0.1 + 0.2,
      1e21,
      new Date(Date.UTC(2026, 2, 5, 14, 30)),
      { formula: 'VLOOKUP(A3,X:Y,2,FALSE)', result: { error: '#N/A' } },
      false,
      1.5e-7,
    ])
    workbook.addWorksheet('Contacts').addRows([
      ['Email', 'Nom'],
      ['zoe@acme.example', 'Zoë'],
    ])
  }

  const cellsFile = writeWorkbook(file('cells.xlsx'), clients)

  it('lists the sheets in order and reads the first', async () => {
    const { inspection, records } = await read(await cellsFile)
    expect(inspection).toMatchObject({
      format: 'xlsx',
      encoding: null,
      delimiter: null,
      sheet: 'Clients',
      sheets: ['Clients', 'Contacts'],
      headerRow: 1,
      columns: ['Code', 'Nom', 'Zip', 'Téléphone', 'Créé le', 'Total', 'Actif', 'Site'],
    })
    expect(records.map((r) => r.line)).toEqual([2, 3])
  })

  it.each([
    ['keeps a text cell as typed', 2, 0, '00123'],
    ['trims a text cell', 3, 0, 'Zoë'],
    ['joins the runs of rich text', 2, 1, 'Société Générale'],
    ['pads a number formatted 00000 with its zeros', 2, 2, '00123'],
    ['writes a phone number typed as a number in full', 2, 3, '33612345678'],
    ['writes a large integer without exponent', 3, 3, '1000000000000000000000'],
    ['writes a decimal as Excel shows it', 3, 2, '0.3'],
    ['writes a small decimal without exponent', 3, 7, '0.00000015'],
    ['writes a date as YYYY-MM-DD', 2, 4, '2026-03-05'],
    ['writes a date with a time of day in ISO 8601', 3, 4, '2026-03-05T14:30:00'],
    ['reads a formula by its numeric result', 2, 5, '246'],
    ['reads a formula by its text result', 3, 1, 'Zoë !'],
    ['reads a formula by its error', 3, 5, '#N/A'],
    ['writes TRUE for a true boolean', 2, 6, 'TRUE'],
    ['writes FALSE for a false boolean', 3, 6, 'FALSE'],
    ['reads a hyperlink by its text', 2, 7, 'acme.example'],
  ])('%s', async (_, line, column, expected) => {
    const { records } = await read(await cellsFile)
    expect(records.find((r) => r.line === line)?.cells[column]).toBe(expected)
  })

  it('keeps 00123 as typed in an xlsx text cell', async () => {
    const path = await writeWorkbook(file('text.xlsx'), (workbook) => {
      workbook.addWorksheet('A').addRows([['Code'], ['00123'], ['+33 6 12 34 56 78']])
    })
    const { records } = await read(path)
    expect(records.map((r) => r.cells)).toEqual([['00123'], ['+33 6 12 34 56 78']])
  })

  it('reads the sheet the user chose, whatever its case', async () => {
    const path = await writeWorkbook(file('sheets.xlsx'), clients)
    const { inspection, records } = await read(path, { sheet: 'contacts' })
    expect(inspection.sheet).toBe('Contacts')
    expect(inspection.columns).toEqual(['Email', 'Nom'])
    expect(records).toEqual([{ line: 2, cells: ['zoe@acme.example', 'Zoë'] }])
  })

  it('refuses a sheet that does not exist, listing the sheets', async () => {
    const path = await writeWorkbook(file('unknown.xlsx'), clients)
    expect(await refusal(inspectFile(path, { sheet: 'Factures' }))).toBe(
      'This workbook has no sheet named "Factures". Its sheets are: "Clients", "Contacts".',
    )
  })

  it('starts on the first visible sheet', async () => {
    const path = await writeWorkbook(file('hidden.xlsx'), (workbook) => {
      workbook.addWorksheet('Lists', { state: 'hidden' }).addRows([['Code'], ['X']])
      workbook.addWorksheet('Clients').addRows([['Nom'], ['ACME']])
    })
    const inspection = await inspectFile(path)
    expect(inspection.sheets).toEqual(['Lists', 'Clients'])
    expect(inspection.sheet).toBe('Clients')
  })

  it('numbers records by worksheet row, skipping empty rows and the title above the header', async () => {
    const path = await writeWorkbook(file('rows.xlsx'), (workbook) => {
      const sheet = workbook.addWorksheet('Clients')
      sheet.getCell('A1').value = 'Export clients 2026'
      sheet.getRow(3).values = ['Nom', 'Ville', 'Pays']
      sheet.getRow(4).values = ['ACME', 'Paris', 'FR']
      sheet.getRow(7).values = ['Beta', '', 'FR']
      sheet.getRow(8).getCell(2).style = { font: { bold: true } }
      sheet.getRow(9).values = ['Gamma']
    })
    const { inspection, records } = await read(path)
    expect(inspection.headerRow).toBe(3)
    expect(records).toEqual([
      { line: 4, cells: ['ACME', 'Paris', 'FR'] },
      { line: 7, cells: ['Beta', '', 'FR'] },
      { line: 9, cells: ['Gamma', '', ''] },
    ])
  })

  it('takes the header row the user chose', async () => {
    const path = await writeWorkbook(file('header.xlsx'), (workbook) => {
      workbook.addWorksheet('A').addRows([
        ['Nom', 'Ville'],
        ['Code', 'Libellé'],
        ['A1', 'Paris'],
      ])
    })
    const { inspection, records } = await read(path, { headerRow: 2 })
    expect(inspection.columns).toEqual(['Code', 'Libellé'])
    expect(records).toEqual([{ line: 3, cells: ['A1', 'Paris'] }])
  })

  it('keeps accents intact across the chunks of a large workbook', async () => {
    const path = await writeWorkbook(file('large.xlsx'), (workbook) => {
      const sheet = workbook.addWorksheet('Clients')
      sheet.addRow(['N', 'Nom'])
      for (let i = 0; i < 5000; i++) sheet.addRow([i, `Société Générale Zoë Müller € ${i}`])
    })
    const { records } = await read(path)
    expect(records).toHaveLength(5000)
    records.forEach((record, i) => {
      expect(record.cells).toEqual([String(i), `Société Générale Zoë Müller € ${i}`])
    })
  })

  it.runIf(canCountHandles)('closes the workbook when the reader stops early', async () => {
    const path = await writeWorkbook(file('early.xlsx'), (workbook) => {
      const sheet = workbook.addWorksheet('Clients')
      sheet.addRow(['Nom'])
      for (let i = 0; i < 20_000; i++) sheet.addRow([`Client ${i}`])
    })
    const inspection = await inspectFile(path)
    expect(await openHandles(path)).toBe(0)
    for await (const record of readRecords(path, inspection)) {
      expect(await openHandles(path)).toBe(1)
      if (record.line === 10) break
    }
    expect(await openHandles(path)).toBe(0)
  })

  it('refuses a zip archive that is not a workbook', async () => {
    const path = await writeZip(file('archive.zip'), [{ name: 'clients.csv', data: 'Nom\nACME\n' }])
    expect(await refusal(inspectFile(path))).toMatch(/zip archive, not an Excel workbook/)
  })

  it('refuses a workbook without a worksheet', async () => {
    const path = await writeZip(file('no-sheet.xlsx'), workbookParts([]))
    expect(await refusal(inspectFile(path))).toMatch(/no worksheet/)
  })

  it('refuses an empty sheet', async () => {
    const parts = workbookParts([{ name: 'Vide', xml: sheetXml('') }])
    const path = await writeZip(file('empty-sheet.xlsx'), parts)
    expect(await refusal(inspectFile(path))).toBe('The sheet "Vide" is empty.')
  })

  it('refuses a workbook larger than the limit once unzipped, before inflating it', async () => {
    const path = await writeWorkbook(file('limit.xlsx'), clients)
    const limits = { maxUncompressedBytes: 10_000 }
    expect(await refusal(inspectFile(path, {}, limits))).toMatch(/more than 0 GB once opened/)
    const forged = await writeZip(file('forged.xlsx'), [
      ...workbookParts([{ name: 'A', xml: sheetXml('') }]),
      { name: 'xl/media/huge.bin', data: 'x', declaredSize: 2 ** 32 - 1 },
    ])
    expect(await refusal(inspectFile(forged, {}, { maxUncompressedBytes: 2 ** 31 }))).toMatch(
      /more than 2 GB once opened/,
    )
  })

  it('refuses a zip bomb', async () => {
    const zeros = '0'.repeat(20 * 1024 * 1024)
    const parts = workbookParts([
      {
        name: 'A',
        xml: sheetXml(`<row r="1"><c r="A1" t="inlineStr"><is><t>${zeros}</t></is></c></row>`),
      },
    ])
    const path = await writeZip(file('bomb.xlsx'), parts)
    expect(await refusal(inspectFile(path))).toMatch(/zip bomb/)
  })

  it('refuses an archive whose parts are larger than they declare', async () => {
    const row = `<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row>`
    const parts = workbookParts([{ name: 'A', xml: sheetXml(row.repeat(1000)) }])
    const sheet = parts.at(-1)
    if (sheet) sheet.declaredSize = 100
    const path = await writeZip(file('liar.xlsx'), parts)
    expect(await refusal(inspectFile(path))).toMatch(/damaged/)
  })
})
