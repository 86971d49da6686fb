import { once } from 'node:events'
import type { Writable } from 'node:stream'
import iconv from 'iconv-lite'
import Papa from 'papaparse'
import type { CustomerFilterQuery } from '../../contracts/customers.ts'
import {
  csvSeparators,
  type CsvEncoding,
  type CsvSeparator,
  type ExportedCustomer,
} from '../../contracts/export.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { contactsByCustomer } from '../contacts/contacts.queries.ts'
import { listCustomers } from './customer-list.queries.ts'

/**
 * The customers export, shared by `roster export` and `GET /customers/export`: the customers of
 * the list's filters with their contacts, read a page at a time by the list's keyset cursor (a
 * statement per page, so the embedded store's one session is never held for the whole export),
 * written as JSON, CSV or .xlsx, one line per contact.
 */

const BATCH = 500
// Papa's own pattern for `true` misses a formula followed by a line break inside the cell.
export const FORMULA_START = /^[=+\-@\t\r]/

/** A cell a spreadsheet would run as a formula, behind an apostrophe (the import takes it off). */
export const neutralise = (cell: string): string => (FORMULA_START.test(cell) ? `'${cell}` : cell)

/** The live customers of the filters (all by default) with their contacts, a batch at a time. */
export async function* exportCustomers(
  db: DbOrTx,
  organizationId: string,
  filters: CustomerFilterQuery = { sort: 'name' },
): AsyncGenerator<ExportedCustomer> {
  let cursor: string | undefined
  do {
    const page = await listCustomers(db, organizationId, { ...filters, limit: BATCH, cursor })
    const contacts = await contactsByCustomer(
      db,
      organizationId,
      page.data.map((c) => c.id),
    )
    for (const customer of page.data) {
      const {
        currency,
        mainContact,
        contactsLockedBy,
        bouncedContacts,
        archivedAt,
        createdAt,
        updatedAt,
        group,
        ...fields
      } = customer
      yield {
        ...fields,
        group: group && { name: group.name, externalId: group.externalId },
        contacts: (contacts.get(fields.id) ?? []).map(
          ({
            customerId,
            lockedBy,
            createdAt,
            updatedAt,
            bouncedAt,
            bounceReason,
            doNotRemind,
            ...contact
          }) => contact,
        ),
      }
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor)
}

export const csvColumns = [
  'Customer Roster ID',
  'Customer name',
  'Customer ID',
  'Accounting code',
  'VAT number',
  'Address',
  'Postal code',
  'City',
  'Country',
  'Group name',
  'Group ID',
  'Account managers',
  'Workflow',
  'Customer source',
  'Contact Roster ID',
  'Contact email',
  'First name',
  'Family name',
  'Phone number',
  'Contact ID',
  'Role',
  'Main contact',
  'Contact source',
] as const

/** What an export writes of a customer: the columns above, not every field of the API. */
type ExportLineCustomer = Pick<
  ExportedCustomer,
  | 'id'
  | 'name'
  | 'externalId'
  | 'accountingCode'
  | 'vatNumber'
  | 'address'
  | 'postalCode'
  | 'city'
  | 'country'
  | 'group'
  | 'accountManagers'
  | 'workflow'
  | 'source'
  | 'contacts'
>

/** The lines of one customer, cells as text: one per contact, or one with blank contact cells. */
export function exportLines(customer: ExportLineCustomer): string[][] {
  const base = [
    customer.id,
    customer.name,
    customer.externalId,
    customer.accountingCode,
    customer.vatNumber,
    customer.address,
    customer.postalCode,
    customer.city,
    customer.country,
    customer.group?.name ?? null,
    customer.group?.externalId ?? null,
    customer.accountManagers.join(', '),
    customer.workflow,
    customer.source,
  ]
  const contactCells = customer.contacts.map((c) => [
    c.id,
    c.email,
    c.firstName,
    c.lastName,
    c.phone,
    c.externalId,
    c.role,
    c.isMain ? '1' : '',
    c.source,
  ])
  return (contactCells.length > 0 ? contactCells : [Array<null>(9).fill(null)]).map((cells) =>
    [...base, ...cells].map((cell) => cell ?? ''),
  )
}

const unparse = (rows: string[][], delimiter: string): string =>
  // escapeFormulae: a cell starting with = + - @, a tab or a CR gets a leading apostrophe, so a
  // spreadsheet shows it as text instead of running it as a formula.
  Papa.unparse(rows, { header: false, delimiter, newline: '\r\n', escapeFormulae: FORMULA_START }) +
  '\r\n'

/** CSV lines of one customer (see `exportLines`). */
export const customerCsvRows = (customer: ExportLineCustomer, delimiter = ','): string =>
  unparse(exportLines(customer), delimiter)

export const csvHeader = (delimiter = ','): string =>
  unparse([csvColumns as unknown as string[]], delimiter)

/** A CSV export as chunks of bytes, in the separator and encoding asked for. */
export async function* customersCsv(
  db: DbOrTx,
  organizationId: string,
  filters: CustomerFilterQuery,
  options: { separator: CsvSeparator; encoding: CsvEncoding },
): AsyncGenerator<Buffer> {
  const delimiter = csvSeparators[options.separator]
  const encode = (text: string): Buffer =>
    options.encoding === 'windows-1252' ? iconv.encode(text, 'win1252') : Buffer.from(text, 'utf8')
  let chunk = (options.encoding === 'utf-8-bom' ? '\uFEFF' : '') + csvHeader(delimiter)
  for await (const customer of exportCustomers(db, organizationId, filters)) {
    chunk += customerCsvRows(customer, delimiter)
    if (chunk.length >= 64 * 1024) {
      yield encode(chunk)
      chunk = ''
    }
  }
  yield encode(chunk)
}

/**
 * An .xlsx export written to `out` by exceljs's streaming writer (no shared strings, no styles:
 * each row leaves memory once committed). Text cells are never formulas in a workbook, but a
 * formula-like one is still neutralised, as in the CSV, so that editing it cannot run it.
 */
export async function writeCustomersXlsx(
  db: DbOrTx,
  organizationId: string,
  filters: CustomerFilterQuery,
  out: Writable,
): Promise<void> {
  // Loaded here: exceljs is large, and most processes never write a workbook.
  const { default: ExcelJS } = await import('exceljs')
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  })
  const sheet = workbook.addWorksheet('Customers')
  sheet.addRow([...csvColumns]).commit()
  for await (const customer of exportCustomers(db, organizationId, filters)) {
    for (const line of exportLines(customer)) sheet.addRow(line.map(neutralise)).commit()
    // Wait for the reader when it is behind, so the file is not gathered in memory.
    if (out.writableNeedDrain) await once(out, 'drain')
  }
  sheet.commit()
  await workbook.commit()
}
