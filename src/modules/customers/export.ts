import Papa from 'papaparse'
import type { ExportedCustomer } from '../../contracts/export.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { contactsByCustomer } from '../contacts/contacts.queries.ts'
import { listCustomers } from './customer-list.queries.ts'

const BATCH = 500
// Papa's own pattern for `true` misses a formula followed by a line break inside the cell.
export const FORMULA_START = /^[=+\-@\t\r]/

/** Every live customer of the organisation with its contacts, by name, a batch at a time. */
export async function* exportCustomers(
  db: DbOrTx,
  organizationId: string,
): AsyncGenerator<ExportedCustomer> {
  let cursor: string | undefined
  do {
    const page = await listCustomers(db, organizationId, { limit: BATCH, cursor, sort: 'name' })
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

/** CSV lines of one customer: one per contact, or one with blank contact cells. */
/** What the CSV export writes of a customer: the columns above, not every field of the API. */
type CsvCustomer = Pick<
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

export function customerCsvRows(customer: CsvCustomer): string {
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
  const rows = (contactCells.length > 0 ? contactCells : [Array<null>(9).fill(null)]).map((cells) =>
    [...base, ...cells].map((cell) => cell ?? ''),
  )
  // escapeFormulae: a cell starting with = + - @, a tab or a CR gets a leading apostrophe, so a
  // spreadsheet shows it as text instead of running it as a formula.
  return (
    Papa.unparse(rows, { header: false, newline: '\r\n', escapeFormulae: FORMULA_START }) + '\r\n'
  )
}

export const csvHeader = (): string =>
  Papa.unparse([csvColumns as unknown as string[]], { newline: '\r\n' }) + '\r\n'
