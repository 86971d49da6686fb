import { z } from 'zod'
import { contact } from './contacts.ts'
import { customer, customerFilters } from './customers.ts'

/** One customer of `roster export`, with its contacts: the API's shapes, minus bookkeeping. */
export const exportedCustomer = customer
  .omit({
    currency: true,
    mainContact: true,
    contactsLockedBy: true,
    bouncedContacts: true,
    archivedAt: true,
    createdAt: true,
    updatedAt: true,
    group: true,
  })
  .extend({
    group: z.object({ name: z.string(), externalId: z.string().nullable() }).nullable(),
    contacts: z.array(
      contact.omit({
        customerId: true,
        lockedBy: true,
        createdAt: true,
        updatedAt: true,
        bouncedAt: true,
        bounceReason: true,
        doNotRemind: true,
      }),
    ),
  })
export type ExportedCustomer = z.infer<typeof exportedCustomer>

/** The separators a CSV export offers, by the name the API takes. */
export const csvSeparators = { comma: ',', semicolon: ';', tab: '\t' } as const
export type CsvSeparator = keyof typeof csvSeparators
/** The encodings a CSV export offers; the byte-order mark lets Excel read UTF-8. */
export const csvEncodings = ['utf-8-bom', 'utf-8', 'windows-1252'] as const
export type CsvEncoding = (typeof csvEncodings)[number]

/**
 * The CSV settings to offer first for a locale: where Excel lists with a semicolon (the
 * decimal comma locales: French first), `;`; elsewhere `,`. UTF-8 with its mark either way.
 */
export function csvDefaultsFor(locale: string): { separator: CsvSeparator; encoding: CsvEncoding } {
  const language = locale.toLowerCase().split(/[-_]/)[0] ?? ''
  const semicolon = ['fr', 'de', 'es', 'it', 'nl', 'pt', 'da', 'fi', 'sv', 'nb', 'pl', 'cs']
  return { separator: semicolon.includes(language) ? 'semicolon' : 'comma', encoding: 'utf-8-bom' }
}

/** `GET /customers/export`: the list's filters, the format and, for a CSV, how it is written. */
export const customerExportQuery = z.strictObject({
  ...customerFilters,
  format: z.enum(['csv', 'xlsx'], { error: 'Format is csv or xlsx.' }).default('csv'),
  separator: z
    .enum(Object.keys(csvSeparators) as [CsvSeparator, ...CsvSeparator[]], {
      error: 'Separator is comma, semicolon or tab.',
    })
    .default('comma'),
  encoding: z
    .enum(csvEncodings, { error: `Encoding is one of ${csvEncodings.join(', ')}.` })
    .default('utf-8-bom'),
})
export type CustomerExportQuery = z.infer<typeof customerExportQuery>

/** The header of an export's answer giving how many lines it will have (its progress). */
export const EXPORT_LINES_HEADER = 'roster-export-lines'
