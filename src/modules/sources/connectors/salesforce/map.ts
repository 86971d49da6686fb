import type { ContactRole } from '../../../../contracts/fields.ts'
import { text, validEmail } from '../common.ts'
import type { AccountContact, SkippedRecord, SourceAccount } from '../types.ts'
import { roleTable, type SalesforceSettings, type SfAccount, type SfContact } from './schemas.ts'

/**
 * Salesforce's contact rule, a pure function of one Account with its `Contacts` and
 * `AccountContactRoles`: every contact of the account (deleted ones are not listed), the main
 * one the oldest (CreatedDate, then Id) unless the connection says the primary contact role;
 * a contact's role from its AccountContactRole roles through the role table (the first that
 * maps; roles none of which maps are reported); Title as job title; no email kept, not
 * reachable; HasOptedOutOfEmail shown.
 */

const byAge = (a: SfContact, b: SfContact): number =>
  Date.parse(stamp(a.CreatedDate)) - Date.parse(stamp(b.CreatedDate)) ||
  (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0)

/** Salesforce writes `+0000`; ISO 8601 as JavaScript reads it wants `+00:00`. */
export const stamp = (value: string): string => value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')

/** The value of the match field, whatever its type (text, number, id). */
function matchValueOf(record: SfAccount, field: string): string | null {
  const value = (record as Record<string, unknown>)[field]
  if (typeof value === 'string') return text(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return null
}

export function toAccount(
  record: SfAccount,
  settings: SalesforceSettings,
  notes: SkippedRecord[],
): SourceAccount {
  const name = text(record.Name) ?? record.Id
  const contacts = [...(record.Contacts?.records ?? [])].sort(byAge)
  const rolesOf = new Map<string, string[]>()
  let primary: string | null = null
  for (const role of record.AccountContactRoles?.records ?? []) {
    if (role.IsPrimary) primary = role.ContactId
    const value = text(role.Role)
    if (value) rolesOf.set(role.ContactId, [...(rolesOf.get(role.ContactId) ?? []), value])
  }
  const table = roleTable(settings.roles)
  const oldest = contacts[0]?.Id ?? null
  const main =
    settings.mainContact === 'primary_role' && primary && contacts.some((c) => c.Id === primary)
      ? primary
      : oldest
  const owner = record.Owner ?? null
  let ownerEmail = validEmail(owner?.Email)
  if (ownerEmail && owner?.IsActive === false) {
    notes.push({
      externalId: record.Id,
      reason: `The owner of account ${name}, ${ownerEmail}, is inactive in Salesforce: the customer keeps its account managers.`,
    })
    ownerEmail = null
  }
  return {
    externalId: record.Id,
    name,
    matchValue: matchValueOf(record, settings.matchField ?? 'AccountNumber'),
    ownerEmail,
    deleted: record.IsDeleted === true,
    contacts: contacts.map((contact): AccountContact => ({
      externalId: contact.Id,
      email: text(contact.Email),
      firstName: text(contact.FirstName),
      lastName: text(contact.LastName),
      phone: text(contact.Phone) ?? text(contact.MobilePhone),
      role: roleOf(rolesOf.get(contact.Id) ?? [], table, () =>
        notes.push({
          externalId: contact.Id,
          reason: `Contact ${contact.Id} of account ${name} has the role ${(rolesOf.get(contact.Id) ?? []).map((r) => `"${r}"`).join(', ')}, which the connection's role table does not map: kept without a role. Add it to the table to give it one.`,
        }),
      ),
      isMain: contact.Id === main,
      jobTitle: text(contact.Title),
      emailOptedOut: contact.HasOptedOutOfEmail === true,
    })),
  }
}

/** The first of the contact's roles the table maps; `unmapped` when it has roles, none mapped. */
function roleOf(
  roles: string[],
  table: Record<string, ContactRole>,
  unmapped: () => void,
): ContactRole | null {
  for (const role of roles) {
    const mapped = table[role]
    if (mapped) return mapped
  }
  if (roles.length > 0) unmapped()
  return null
}
