import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import { csvDefaultsFor } from '../../src/contracts/export.ts'
import { client, json, newMember, newOrg, testApp, testStore, type Client } from '../support.ts'

const store = await testStore()
const app = await testApp(store)

/** An organisation with three customers: one with two contacts, one without, one archived. */
async function setup(): Promise<{ api: Client; managerEmail: string }> {
  const org = await newOrg(store)
  const api = client(app, org.key)
  const manager = await newMember(store, org, 'account_manager')
  const acme = json(
    await api.post('/api/v1/customers', {
      name: 'Société Acme',
      externalId: '=HYPERLINK("http://evil")',
      city: 'Lyon',
      accountManagers: [manager.email],
    }),
  )
  await api.post(`/api/v1/customers/${acme.id as string}/contacts`, {
    email: 'elodie@acme.example',
    firstName: 'Élodie',
    lastName: 'Durand',
    phone: '+33612345678',
    isMain: true,
  })
  await api.post(`/api/v1/customers/${acme.id as string}/contacts`, {
    email: 'ap@acme.example',
    firstName: '@SUM(A1)',
  })
  await api.post('/api/v1/customers', { name: 'Globex; "quoted"' })
  const old = json(await api.post('/api/v1/customers', { name: 'Archived Ltd' }))
  await api.post(`/api/v1/customers/${old.id as string}/archive`, {})
  return { api, managerEmail: manager.email }
}

const csvOf = (body: string, delimiter: string): string[][] =>
  Papa.parse<string[]>(body.replace(/^\uFEFF/, '').trim(), { delimiter }).data

describe('exporting the customers list', () => {
  it('writes a CSV with semicolons and a byte-order mark, one line per contact, formulas neutralised', async () => {
    const { api, managerEmail } = await setup()
    const res = await api.get('/api/v1/customers/export?format=csv&separator=semicolon')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"$/,
    )
    expect(res.headers['roster-export-lines']).toBe('3')
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    const rows = csvOf(res.body, ';')
    expect(rows).toHaveLength(4)
    const header = rows[0] ?? []
    const cell = (row: number, column: string) => rows[row]?.[header.indexOf(column)]
    expect(header.slice(0, 3)).toEqual(['Customer Roster ID', 'Customer name', 'Customer ID'])
    expect(rows.slice(1).map((_, i) => cell(i + 1, 'Customer name'))).toEqual([
      'Globex; "quoted"',
      'Société Acme',
      'Société Acme',
    ])
    expect(cell(2, 'Customer ID')).toBe(`'=HYPERLINK("http://evil")`)
    expect(cell(2, 'Account managers')).toBe(managerEmail)
    expect(cell(2, 'First name')).toBe('Élodie')
    expect(cell(2, 'Phone number')).toBe("'+33612345678")
    expect(cell(3, 'First name')).toBe("'@SUM(A1)")
    expect(cell(1, 'Contact email')).toBe('')
  })

  it('exports only what the list’s filters find, and the header alone when nothing matches', async () => {
    const { api } = await setup()
    const found = await api.get('/api/v1/customers/export?q=elodie')
    expect(found.headers['roster-export-lines']).toBe('2')
    const rows = csvOf(found.body, ',')
    expect(rows.slice(1).map((row) => row[1])).toEqual(['Société Acme', 'Société Acme'])
    const archived = csvOf((await api.get('/api/v1/customers/export?archived=true')).body, ',')
    expect(archived.slice(1).map((row) => row[1])).toEqual(['Archived Ltd'])
    const none = await api.get('/api/v1/customers/export?q=nobody-at-all')
    expect(none.statusCode).toBe(200)
    expect(none.headers['roster-export-lines']).toBe('0')
    expect(csvOf(none.body, ',')).toHaveLength(1)
  })

  it('writes Windows-1252 when asked, for older spreadsheets', async () => {
    const { api } = await setup()
    const res = await api.get('/api/v1/customers/export?encoding=windows-1252&separator=tab')
    expect(res.headers['content-type']).toBe('text/csv; charset=windows-1252')
    expect(res.rawPayload.includes(Buffer.from('Société', 'utf8'))).toBe(false)
    const text = iconv.decode(res.rawPayload, 'win1252')
    expect(csvOf(text, '\t')[2]?.[1]).toBe('Société Acme')
  })

  it('writes an .xlsx workbook with the same lines', async () => {
    const { api } = await setup()
    const res = await api.get('/api/v1/customers/export?format=xlsx')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    )
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    const sheet = workbook.getWorksheet('Customers')
    const rows: string[][] = []
    sheet?.eachRow((row) => {
      rows.push(
        (row.values as unknown[]).slice(1).map((value) => (typeof value === 'string' ? value : '')),
      )
    })
    expect(rows).toHaveLength(4)
    expect(rows[0]?.[1]).toBe('Customer name')
    expect(rows[2]).toContain('Élodie')
    expect(rows[2]?.[2]).toBe(`'=HYPERLINK("http://evil")`)
    expect(rows[3]).toContain("'@SUM(A1)")
  })

  it('refuses an unknown format, separator or encoding, naming the field', async () => {
    const { api } = await setup()
    for (const [query, message] of [
      ['format=pdf', 'Format is csv or xlsx.'],
      ['separator=pipe', 'Separator is comma, semicolon or tab.'],
      ['encoding=latin9', 'Encoding is one of utf-8-bom, utf-8, windows-1252.'],
    ] as const) {
      const res = await api.get(`/api/v1/customers/export?${query}`)
      expect(res.statusCode).toBe(400)
      expect(JSON.stringify(json(res).error)).toContain(message)
    }
  })

  it('offers semicolons to French locales and commas to English ones', () => {
    expect(csvDefaultsFor('fr-FR')).toEqual({ separator: 'semicolon', encoding: 'utf-8-bom' })
    expect(csvDefaultsFor('fr')).toEqual({ separator: 'semicolon', encoding: 'utf-8-bom' })
    expect(csvDefaultsFor('en-GB')).toEqual({ separator: 'comma', encoding: 'utf-8-bom' })
  })
})
