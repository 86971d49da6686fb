import { z } from 'zod'
import type { ContactRole } from '../../../contracts/contacts.ts'
import { plainImportFields, type PlainStagedKey } from '../../../contracts/fields.ts'
import {
  fieldInfo,
  importFields,
  type ColumnMapping,
  type ImportField,
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

export interface Rejection {
  line: number
  column: string | null
  value: string | null
  reason: string
}

export type LineResult =
  | { kind: 'blank' }
  | { kind: 'staged'; row: StagedLine }
  | { kind: 'rejected'; rejection: Rejection }

const MAX_TEXT = 500
const roles = ['ACCOUNTING', 'SALES', 'PURCHASER', 'PAYER'] as const
const email = z.email()
const truthy = new Set(['1', 'true', 'yes', 'oui', 'x', 'y'])
const falsy = new Set(['0', 'false', 'no', 'non', 'n'])

class LineProblem extends Error {
  readonly field: ImportField
  readonly value: string | null

  constructor(field: ImportField, value: string | null, reason: string) {
    super(reason)
    this.field = field
    this.value = value
  }
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
 * Checks one line on its own (formats, roles, members, workflows) and normalises it. What needs
 * the other lines or the stored customers is decided afterwards, in SQL, for all lines at once.
 */
export function checkLine(
  context: LineContext,
  byField: ReadonlyMap<ImportField, number>,
  line: number,
  cells: readonly string[],
): LineResult {
  const cell = (field: ImportField): string | null => {
    const index = byField.get(field)
    if (index === undefined) return null
    // Roster's own error files protect formula-like cells with an apostrophe; take it off again.
    const value = (cells[index] ?? '').trim().replace(/^'(?=[=+\-@])/, '')
    if (value === '') return null
    if (value.includes('\u0000')) {
      throw new LineProblem(field, value.replaceAll('\u0000', ''), NUL_REASON)
    }
    const rule = plainRules.get(field)
    if (rule?.write) {
      const checked = rule.write.safeParse(value)
      if (!checked.success) throw new LineProblem(field, value, refusal(rule.label, checked.error))
    } else if (value.length > MAX_TEXT) {
      throw new LineProblem(field, value, `This cell is longer than ${MAX_TEXT} characters.`)
    }
    return value
  }
  try {
    if ([...byField.keys()].every((field) => cell(field) === null)) return { kind: 'blank' }
    const row = readLine(context, line, cell)
    return { kind: 'staged', row }
  } catch (error) {
    if (!(error instanceof LineProblem)) throw error
    const index = byField.get(error.field)
    return {
      kind: 'rejected',
      rejection: {
        line,
        column: index === undefined ? null : (context.columns[index] ?? null),
        value: error.value,
        reason: error.message,
      },
    }
  }
}

function readLine(
  context: LineContext,
  line: number,
  cell: (field: ImportField) => string | null,
): StagedLine {
  const customerName = cell('customer.name')
  const customerExternalId = cell('customer.externalId')
  if (!customerName && !customerExternalId) {
    throw new LineProblem(
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
      throw new LineProblem(
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
      if (!id)
        throw new LineProblem('assignment.accountManagers', trimmed, ACCOUNT_MANAGER_NOT_FOUND)
      ids.add(id)
    }
    accountManagerIds = [...ids]
  }

  const workflowName = cell('assignment.workflow')
  let workflowId: string | null = null
  if (workflowName) {
    workflowId = context.workflows.get(workflowName.toLowerCase()) ?? null
    if (!workflowId) {
      throw new LineProblem(
        'assignment.workflow',
        workflowName,
        `Workflow "${workflowName}" not found; check its name or create it in Settings.`,
      )
    }
  }

  const hasContact = contactFields.some((field) => cell(field) !== null)
  const contactEmailText = cell('contact.email')
  const contactExternalId = cell('contact.externalId')
  let contactEmail: string | null = null
  if (hasContact) {
    if (contactEmailText) {
      if (!email.safeParse(contactEmailText).success) {
        throw new LineProblem(
          'contact.email',
          contactEmailText,
          `"${contactEmailText}" is not a valid email address; write it like name@company.com.`,
        )
      }
      contactEmail = contactEmailText
    } else if (!contactExternalId) {
      throw new LineProblem(
        'contact.email',
        null,
        'Contact email is missing: every contact needs an email address.',
      )
    }
  }

  const roleText = cell('contact.role')
  let contactRole: StagedLine['contactRole'] = null
  if (roleText) {
    const upper = roleText.toUpperCase()
    contactRole = roles.find((role) => role === upper) ?? null
    if (!contactRole) {
      throw new LineProblem(
        'contact.role',
        roleText,
        `Role "${roleText}" is not one of Accounting, Sales, Purchaser, Payer.`,
      )
    }
  }

  const mainText = cell('contact.isMain')
  let contactIsMain: boolean | null = null
  if (mainText) {
    const folded = mainText.toLowerCase()
    if (truthy.has(folded)) contactIsMain = true
    else if (falsy.has(folded)) contactIsMain = false
    else {
      throw new LineProblem(
        'contact.isMain',
        mainText,
        `Main contact "${mainText}" is not understood; write 1 for the main contact, or leave it blank.`,
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
