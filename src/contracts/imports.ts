import { z } from 'zod'
import { emailField, pageQuery } from './common.ts'
import {
  contactRoles,
  fieldInfo,
  importFieldDecls,
  importFields,
  knownRole,
  type FieldGroup,
  type FieldInfo,
  type ImportField,
} from './fields.ts'

export { fieldInfo, importFields, type FieldGroup, type FieldInfo, type ImportField }
export const importField = z.enum(importFields)

/** The mapping: for each column of the file, by index, the field it fills or null (ignored). */
export const columnMapping = z.array(importField.nullable())
export type ColumnMapping = z.infer<typeof columnMapping>

/** The downloadable files with demo lines, one per way of using the import. */
export const templateNames = [
  'customers',
  'customers-and-contacts',
  'account-managers-and-workflows',
  'all',
] as const
export type TemplateName = (typeof templateNames)[number]
export const templateName = z.enum(templateNames)

export const importEncodings = [
  'utf-8',
  'utf-16le',
  'utf-16be',
  'windows-1252',
  'iso-8859-1',
] as const
export const importDelimiters = [';', ',', '|', '\t'] as const

/** How a file was read, stored with its import to read it again identically. */
export interface ResolvedRead {
  format: 'csv' | 'xlsx'
  encoding: (typeof importEncodings)[number] | null
  delimiter: (typeof importDelimiters)[number] | null
  sheet: string | null
  /** The 1-based row number of the header, as a spreadsheet shows it. */
  headerRow: number
}

/** How to read the file; what is left out is detected. */
export const readOptions = z.strictObject({
  encoding: z.enum(importEncodings).optional(),
  delimiter: z
    .enum([...importDelimiters, 'tab'])
    .transform((value) => (value === 'tab' ? '\t' : value))
    .optional(),
  sheet: z.string().min(1).max(200).optional(),
  headerRow: z.coerce.number().int().min(1).max(1000).optional(),
})

/**
 * Fields whose cells are read against a list of values (a contact's role): a value the list does
 * not know is mapped by the member, value by value, to one of the list or to nothing.
 */
export const valueMappedFields = ['contact.role'] as const
export type ValueMappedField = (typeof valueMappedFields)[number]

const roleChoice = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .pipe(
    z.enum(contactRoles, {
      error: (issue) =>
        `"${String(issue.input)}" is not a role; map the value to ACCOUNTING, SALES, PURCHASER or PAYER, or to null to leave the role empty.`,
    }),
  )
  .nullable()

/**
 * The value map: for each value-mapped field, each value of the file (as written) and what it
 * means; null leaves the cell empty. `{ "contact.role": { "Compta": "ACCOUNTING" } }`.
 */
export const valueMap = z.strictObject({
  'contact.role': z.record(z.string().trim().min(1).max(500), roleChoice).optional(),
})
export type ValueMap = z.output<typeof valueMap>

/** The value map as Roster answers it (roles in capitals). */
const valueMapRecord = z.object({
  'contact.role': z.record(z.string(), z.enum(contactRoles).nullable()).optional(),
})

export const importStatuses = [
  'uploaded',
  'mapped',
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
] as const

const counts = z.object({ created: z.number(), updated: z.number(), unchanged: z.number() })
export const importSummary = z.object({
  lines: counts.extend({ total: z.number(), rejected: z.number() }),
  customers: counts,
  contacts: counts,
})
/** What a run did (or, for a dry run, will do): per line, and per customer and contact. */
export type ImportSummary = z.infer<typeof importSummary>

const undoCounts = z.object({ removed: z.number(), restored: z.number() })
/** A record an undo left as it was, because it changed after the import. */
export const keptRecord = z.object({
  entity: z.enum(['customer', 'contact']),
  id: z.uuid(),
  name: z.string(),
  reason: z.string(),
  changedBy: z.string().nullable(),
  changedAt: z.iso.datetime().nullable(),
})
/** What undoing an import did; `kept` lists the first records left as they were. */
export const importUndo = z.object({
  at: z.iso.datetime(),
  by: z.string(),
  customers: undoCounts,
  contacts: undoCounts,
  keptTotal: z.number(),
  kept: z.array(keptRecord),
})
export type ImportUndo = z.infer<typeof importUndo>

export const importRecord = z.object({
  id: z.uuid(),
  status: z.enum(importStatuses),
  fileName: z.string(),
  fileSize: z.number(),
  createdBy: z.object({ kind: z.string(), id: z.uuid().nullable(), label: z.string() }),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  read: z.object({
    format: z.enum(['csv', 'xlsx']),
    encoding: z.string().nullable(),
    delimiter: z.string().nullable(),
    sheet: z.string().nullable(),
    headerRow: z.number(),
  }),
  columns: z.array(z.string()),
  mapping: columnMapping.nullable(),
  /** The values mapped for this import: the member's, and those the organisation's earlier imports taught. */
  valueMap: valueMapRecord.nullable(),
  progress: z.object({
    phase: z.enum(['waiting', 'reading', 'applying', 'done']),
    linesRead: z.number(),
    linesTotal: z.number().nullable(),
    linesDone: z.number(),
  }),
  dryRun: importSummary.nullable(),
  summary: importSummary.nullable(),
  cancelRequested: z.boolean(),
  error: z.string().nullable(),
  /** When the uploaded file was deleted because it held a person whose data was erased (GDPR). */
  fileErasedAt: z.iso.datetime().nullable(),
  /** The import whose rejected lines this one imports again, fixed. */
  retryOf: z.uuid().nullable(),
  /** The follow-up imports of this one's rejected lines, oldest first. */
  retries: z.array(z.uuid()),
  undo: importUndo.nullable(),
})
export type ImportRecord = z.infer<typeof importRecord>

export const importPreview = importRecord.extend({
  sheets: z.array(z.string()),
  sample: z.array(z.object({ line: z.number(), cells: z.array(z.string()) })),
  suggestedMapping: columnMapping,
  requiredFields: z.array(importField),
})

const lineProblem = z.object({
  column: z.string().nullable(),
  value: z.string().nullable(),
  reason: z.string(),
})
export type LineProblem = z.infer<typeof lineProblem>

/** A rejected line: its first problem (column, value, reason), and every problem it has. */
export const rejectedLine = lineProblem.extend({
  line: z.number(),
  problems: z.array(lineProblem),
})

/** A value of the file that no role is known by, with the number of lines it is on. */
export const unknownValue = z.object({
  field: z.enum(valueMappedFields),
  column: z.string().nullable(),
  value: z.string(),
  lines: z.number(),
})

export const dryRunResult = importRecord.extend({
  rejected: z.array(rejectedLine),
  /** The distinct values to map (each a rejection until it is mapped): the value mapping step. */
  unknownValues: z.array(unknownValue),
})

/** Rejected lines fixed, to import again: each by its line number, with the cells it changes. */
export const retryBody = z.strictObject({
  lines: z
    .array(
      z.strictObject({
        line: z.number().int().min(1),
        values: z.record(z.string(), z.string().max(10_000)),
      }),
    )
    .min(1)
    .max(10_000),
})
export type RetryBody = z.infer<typeof retryBody>

/** A rejected line's cells as the file has them, in the order of its columns. */
export const rejectedCells = z.object({ line: z.number(), cells: z.array(z.string()) })

/**
 * What is wrong with a cell for the field its column fills, by the API's own rule for the field
 * (the catalogue's write type), or null; a blank cell leaves the field as it is. Checks what can
 * be checked without the organisation's data (members, workflows, groups are looked up by the
 * import).
 */
export function cellProblem(field: ImportField, value: string): string | null {
  const cell = value.trim()
  if (cell === '') return null
  if (field === 'contact.role') {
    // A role in English or French maps by itself; another value needs the import's value map.
    return knownRole(cell) || contactRoles.some((role) => role === cell.toUpperCase())
      ? null
      : `Role "${cell}" is not one of Accounting, Sales, Purchaser or Payer (in English or French).`
  }
  if (field === 'assignment.accountManagers') {
    const wrong = cell
      .split(/[,;]/)
      .map((email) => email.trim())
      .find((email) => email !== '' && !emailField.safeParse(email).success)
    return wrong === undefined ? null : `"${wrong}" is not a valid email address.`
  }
  const write = importFieldDecls[field].write
  if (!write || field === 'contact.isMain') return null
  const result = write.safeParse(cell)
  return result.success ? null : (result.error.issues[0]?.message ?? 'This value is not valid.')
}

export const mappingBody = z.strictObject({
  mapping: columnMapping,
  valueMap: valueMap.optional(),
})

/** Submitting may change the value map; the lines are then checked again before they apply. */
export const startBody = z.strictObject({ valueMap: valueMap.optional() }).nullish()

/** The history's filter: an import's status, or several separated by commas. */
export const importListQuery = z.strictObject({
  ...pageQuery,
  status: z
    .string()
    .max(200)
    .transform((text) => text.split(',').map((status) => status.trim()))
    .pipe(
      z.array(
        z.enum(importStatuses, {
          error: (issue) =>
            `"${String(issue.input)}" is not an import status; use ${importStatuses.join(', ')}.`,
        }),
      ),
    )
    .optional(),
})

export const lineOutcomes = ['create', 'update', 'unchanged'] as const
export const plannedLine = z.object({ line: z.number(), outcome: z.enum(lineOutcomes) })

/** Fields that describe a customer the import may create, and so need its name. */
const customerDetails = importFields.filter(
  (field) =>
    fieldInfo[field].group === 'customer' &&
    field !== 'customer.name' &&
    field !== 'customer.externalId',
)

/** Each required field with the reason shown when it is missing, in catalogue order. */
export function requirements(mapping: ColumnMapping): Map<ImportField, string> {
  const mapped = new Set(mapping.filter((field) => field !== null))
  const has = (group: FieldGroup): boolean =>
    [...mapped].some((field) => fieldInfo[field].group === group)
  const why = new Map<ImportField, string>()

  // Details and groups describe a customer that may have to be created, and a customer has a name.
  if (customerDetails.some((field) => mapped.has(field)) || has('group')) {
    why.set('customer.name', 'Customer details and groups need the customer’s name.')
  }
  // Assignments target customers kept by a sync, found by their ID in the source: no name needed.
  if (has('assignment')) {
    why.set(
      'customer.externalId',
      'Account managers and workflows are assigned by the Customer ID: the customer’s ID in your source system.',
    )
  }
  // A group is found, or created, by its name; its ID alone would not say what to call it.
  if (has('group')) why.set('group.name', 'A subsidiary’s line names its group.')
  // A contact is found within its customer by Contact ID, else by email, and needs an email.
  if (has('contact')) why.set('contact.email', 'A contact is identified by its email.')
  // Every line must find its customer: by ID when the file has one, else by name.
  if (
    !why.has('customer.name') &&
    !why.has('customer.externalId') &&
    !mapped.has('customer.externalId')
  ) {
    why.set('customer.name', 'Each line needs its customer: map its name or its Customer ID.')
  }
  return new Map(importFields.filter((f) => why.has(f)).map((f) => [f, why.get(f) ?? '']))
}

/** The fields the mapping step marks Required, given what is mapped so far. */
export function requiredFields(mapping: ColumnMapping): ImportField[] {
  return [...requirements(mapping).keys()]
}
