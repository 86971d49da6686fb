import { z } from 'zod'
import type { ContactRole } from '../../../contracts/contacts.ts'
import {
  foldValue,
  plainImportFields,
  knownRole,
  type PlainStagedKey,
} from '../../../contracts/fields.ts'
import {
  fieldInfo,
  importFields,
  type ColumnMapping,
  type ImportField,
  type ValueMap,
} from '../../../contracts/imports.ts'
import { normalizePhone } from '../../contacts/phone.ts'
import { ACCOUNT_MANAGER_NOT_FOUND } from '../../customers/customers.service.ts'
import { toCountryCode } from '../../../contracts/country.ts'

/** What a line needs to know about the organisation to be checked on its own. */
export interface LineContext {
  columns: string[]
  mapping: ColumnMapping
  defaultCountry: string | null
  /** lower-case email → member id, for members with the account-manager role. */
  accountManagers: ReadonlyMap<string, string>
  /** lower-case name → workflow id. */
  workflows: ReadonlyMap<string, string>
  /** What a role cell means, the import's value map first (`roleReader`). */
  readRole: (text: string) => ContactRole | null | undefined
}

/**
 * A line as it is staged: normalised values, null where the cell is blank (left unchanged). The
 * plain text fields come from the catalogue (src/contracts/fields.ts); the others have code here.
 */
export type StagedLine = { line: number } & Record<PlainStagedKey, string | null> & {
    country: string | null
    accountManagerIds: string[] | null
    workflowId: string | null
    contactEmail: string | null
    contactPhone: string | null
    contactRole: ContactRole | null
    contactIsMain: boolean | null
  }

/** One problem of a rejected line; a line has as many as it has wrong cells. */
export interface Rejection {
  line: number
  /** The import field at fault. */
  field: ImportField
  column: string | null
  value: string | null
  reason: string
}

export type LineResult =
  | { kind: 'blank' }
  | { kind: 'staged'; row: StagedLine }
  | { kind: 'rejected'; rejections: Rejection[] }

const MAX_TEXT = 500
const email = z.email()
const truthy = new Set(['1', 'true', 'yes', 'oui', 'x', 'y', 'vrai'])
const falsy = new Set(['0', 'false', 'no', 'non', 'n', 'faux'])

/**
 * Reads a role cell: the import's value map first (the member's choice wins, null leaves the
 * role empty), then the names roles are known by. Undefined when the value means nothing known.
 */
export function roleReader(
  valueMap: ValueMap,
  /** Collects the value map's entries the file used, as the map writes them. */
  used?: Set<string>,
): (text: string) => ContactRole | null | undefined {
  const mapped = new Map(
    Object.entries(valueMap['contact.role'] ?? {}).map(([value, role]) => [
      foldValue(value),
      { value, role },
    ]),
  )
  return (text) => {
    const folded = foldValue(text)
    const entry = mapped.get(folded)
    if (!entry) return knownRole(folded)
    used?.add(entry.value)
    return entry.role
  }
}

export const UNKNOWN_ROLE = (value: string): string =>
  `Role "${value}" is not one of Accounting, Sales, Purchaser, Payer; map it to one of them in the value mapping step, or correct it.`

interface Problem {
  field: ImportField
  value: string | null
  reason: string
}

/** The column index of each mapped field. */
export function fieldColumns(mapping: ColumnMapping): Map<ImportField, number> {
  const columns = new Map<ImportField, number>()
  mapping.forEach((field, index) => {
    if (field) columns.set(field, index)
  })
  return columns
}

const contactFields = importFields.filter((field) => fieldInfo[field].group === 'contact')

const plainRules = new Map(plainImportFields.map((f) => [f.field, f]))

/** Why the API's rule for a plain field refuses a cell, said for the rejected-lines list. */
function refusal(label: string, error: z.ZodError): string {
  const [issue] = error.issues
  if (issue?.code === 'too_big') {
    return `${label} is longer than ${String(issue.maximum)} characters; shorten it.`
  }
  return `${label}: ${issue?.message ?? 'this value is not accepted'}.`
}

/**
 * PostgreSQL text cannot hold a NUL: a mapped cell with one rejects its line (a NUL in a column
 * the mapping ignores is never stored, so it does no harm).
 */
export const NUL_REASON =
  'This cell holds a NUL character (an invisible byte 0), which cannot be stored; delete it and import the line again.'

/**
 * Checks one line on its own (formats, roles, members, workflows) and normalises it, listing
 * every problem it has. What needs the other lines or the stored customers is decided
 * afterwards, in SQL, for all lines at once.
 */
export function checkLine(
  context: LineContext,
  byField: ReadonlyMap<ImportField, number>,
  line: number,
  cells: readonly string[],
): LineResult {
  const problems: Problem[] = []
  const values = new Map<ImportField, string | null>()
  const read = (field: ImportField): string | null => {
    const index = byField.get(field)
    if (index === undefined) return null
    // Roster's own error files protect formula-like cells with an apostrophe; take it off again.
    const value = (cells[index] ?? '').trim().replace(/^'(?=[=+\-@])/, '')
    if (value === '') return null
    if (value.includes('\u0000')) {
      problems.push({ field, value: value.replaceAll('\u0000', ''), reason: NUL_REASON })
      return null
    }
    const rule = plainRules.get(field)
    if (rule?.write) {
      const checked = rule.write.safeParse(value)
      if (!checked.success) {
        problems.push({ field, value, reason: refusal(rule.label, checked.error) })
        return null
      }
    } else if (value.length > MAX_TEXT) {
      problems.push({ field, value, reason: `This cell is longer than ${MAX_TEXT} characters.` })
      return null
    }
    return value
  }
  // Each cell is read once: a wrong one is a problem once, and blank afterwards.
  const cell = (field: ImportField): string | null => {
    if (!values.has(field)) values.set(field, read(field))
    return values.get(field) ?? null
  }
  const filled = (field: ImportField): boolean => {
    const index = byField.get(field)
    return index !== undefined && (cells[index] ?? '').trim() !== ''
  }
  if (![...byField.keys()].some(filled)) return { kind: 'blank' }
  const row = readLine(context, line, cell, filled, (problem) => {
    problems.push(problem)
  })
  if (problems.length === 0) return { kind: 'staged', row }
  return {
    kind: 'rejected',
    rejections: problems.map((problem) => {
      const index = byField.get(problem.field)
      return {
        line,
        field: problem.field,
        column: index === undefined ? null : (context.columns[index] ?? null),
        value: problem.value,
        reason: problem.reason,
      }
    }),
  }
}

function readLine(
  context: LineContext,
  line: number,
  cell: (field: ImportField) => string | null,
  filled: (field: ImportField) => boolean,
  report: (problem: Problem) => void,
): StagedLine {
  const problem = (field: ImportField, value: string | null, reason: string): void => {
    report({ field, value, reason })
  }
  const customerName = cell('customer.name')
  const customerExternalId = cell('customer.externalId')
  // A name or ID that is there but wrong is reported as such, not as missing.
  if (
    !customerName &&
    !customerExternalId &&
    !filled('customer.name') &&
    !filled('customer.externalId')
  ) {
    problem(
      'customer.name',
      null,
      'Customer name is missing: fill in the customer name or its Customer ID.',
    )
  }

  const countryText = cell('customer.country')
  let country: string | null = null
  if (countryText) {
    country = toCountryCode(countryText) ?? null
    if (!country) {
      problem(
        'customer.country',
        countryText,
        `Country "${countryText}" is not recognised; use a country name (France) or an ISO code (FR).`,
      )
    }
  }

  const managersText = cell('assignment.accountManagers')
  let accountManagerIds: string[] | null = null
  if (managersText) {
    const ids = new Set<string>()
    for (const address of managersText.split(/[,;\n]/)) {
      const trimmed = address.trim()
      if (trimmed === '') continue
      const id = context.accountManagers.get(trimmed.toLowerCase())
      if (id) ids.add(id)
      else problem('assignment.accountManagers', trimmed, ACCOUNT_MANAGER_NOT_FOUND)
    }
    accountManagerIds = [...ids]
  }

  const workflowName = cell('assignment.workflow')
  let workflowId: string | null = null
  if (workflowName) {
    workflowId = context.workflows.get(workflowName.toLowerCase()) ?? null
    if (!workflowId) {
      problem(
        'assignment.workflow',
        workflowName,
        `Workflow "${workflowName}" not found; check its name or create it in Settings.`,
      )
    }
  }

  const hasContact = contactFields.some(filled)
  const contactEmailText = cell('contact.email')
  const contactExternalId = cell('contact.externalId')
  let contactEmail: string | null = null
  if (hasContact) {
    if (contactEmailText) {
      if (email.safeParse(contactEmailText).success) contactEmail = contactEmailText
      else {
        problem(
          'contact.email',
          contactEmailText,
          `"${contactEmailText}" is not a valid email address; write it like name@company.com.`,
        )
      }
    } else if (!contactExternalId && !filled('contact.email') && !filled('contact.externalId')) {
      problem(
        'contact.email',
        null,
        'Contact email is missing: every contact needs an email address.',
      )
    }
  }

  const roleText = cell('contact.role')
  let contactRole: StagedLine['contactRole'] = null
  if (roleText) {
    const role = context.readRole(roleText)
    if (role === undefined) problem('contact.role', roleText, UNKNOWN_ROLE(roleText))
    else contactRole = role
  }

  const mainText = cell('contact.isMain')
  let contactIsMain: boolean | null = null
  if (mainText) {
    const folded = foldValue(mainText)
    if (truthy.has(folded)) contactIsMain = true
    else if (falsy.has(folded)) contactIsMain = false
    else {
      problem(
        'contact.isMain',
        mainText,
        `Main contact "${mainText}" is not understood; write 1 (or yes, oui, x) for the main contact, 0 (or no, non) otherwise, or leave it blank.`,
      )
    }
  }

  const phoneText = cell('contact.phone')
  const contactPhone = phoneText ? normalizePhone(phoneText, context.defaultCountry).phone : null

  const plain = Object.fromEntries(
    plainImportFields.map(({ field, key }) => [key, cell(field)]),
  ) as Record<PlainStagedKey, string | null>
  return {
    line,
    ...plain,
    customerExternalId,
    customerName,
    country,
    accountManagerIds,
    workflowId,
    contactEmail,
    contactPhone,
    contactExternalId,
    contactRole,
    contactIsMain,
  }
}
