import { sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/client.ts'
import type { SkippedRecord } from '../connectors/types.ts'
import type { AccountMatching } from '../connectors/types.ts'
import type { ApplyContext } from './apply.ts'
import { actorValues, auditInsert, customerSnapshot } from '../../audit/audit.sql.ts'
import { archiveContacts, archiveMovedContacts, mirrorContactLists } from './contacts.ts'
import type { AccountRecord } from './records.ts'
import { ids, json } from './sql.ts'

/**
 * The accounts half of the sync, for a contact-only source (a CRM): its accounts are matched to
 * the customers billing connections bring, by the connection's identifier and never by name
 * (a name match counts only once an admin confirmed it), and each matched customer's contacts
 * become the account's, replacing the billing tool's. An identifier several accounts share, or
 * that several customers carry, matches nothing and is reported. The account owner becomes the
 * customer's account manager when a member with that role has the owner's email.
 */

export interface AccountsOutcome {
  updated: number
  notes: SkippedRecord[]
}

const CASE_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'

/** A Salesforce record id in its 18-character, case-safe form; other values as they are. */
export function caseSafeId(value: string): string {
  if (!/^[a-zA-Z0-9]{15}$/.test(value)) return value
  let suffix = ''
  for (let block = 0; block < 3; block++) {
    let bits = 0
    for (let i = 0; i < 5; i++) {
      const char = value.charAt(block * 5 + i)
      if (char >= 'A' && char <= 'Z') bits |= 1 << i
    }
    suffix += CASE_SAFE.charAt(bits)
  }
  return value + suffix
}

interface Matched {
  externalId: string
  customerId: string
}

/** Applies one page of accounts; contacts and account managers only when `c.ownsContacts`. */
export async function applyAccounts(
  tx: Tx,
  c: ApplyContext,
  matching: AccountMatching,
  accounts: AccountRecord[],
): Promise<AccountsOutcome> {
  if (accounts.length === 0) return { updated: 0, notes: [] }
  const org = sql`${c.organizationId}::uuid`
  const conn = sql`${c.connectionId}::uuid`
  const normalise = (value: string | null): string | null =>
    value !== null && matching.recordIds ? caseSafeId(value) : value
  const rows = accounts.map((a) => ({
    external_id: a.externalId,
    name: a.name,
    match_value: a.deleted ? null : normalise(a.matchValue),
    owner_email: a.ownerEmail,
    deleted: a.deleted,
    contact_count: a.contacts.length,
  }))
  // The values the page's accounts had: an account that changed its value may leave another
  // account alone with the old one (no longer ambiguous).
  const { rows: before } = await tx.execute<{ external_id: string; match_value: string | null }>(
    sql`select external_id, match_value from source_accounts
      where organization_id = ${org} and connection_id = ${conn}
        and external_id in (select value from jsonb_array_elements_text(${json(rows.map((r) => r.external_id))}))`,
  )
  await tx.execute(sql`
    insert into source_accounts (organization_id, connection_id, external_id, name, match_value,
      owner_email, contact_count, deleted_at, updated_at)
    select ${org}, ${conn}, r.external_id, r.name, r.match_value, r.owner_email, r.contact_count,
      case when r.deleted then now() end, now()
    from jsonb_to_recordset(${json(rows)}) as r(external_id text, name text, match_value text,
      owner_email text, contact_count int, deleted boolean)
    on conflict (organization_id, connection_id, external_id) do update set
      name = excluded.name, match_value = excluded.match_value,
      owner_email = excluded.owner_email, contact_count = excluded.contact_count,
      deleted_at = excluded.deleted_at, updated_at = now()`)
  const values = [
    ...new Set(
      [...rows.map((r) => r.match_value), ...before.map((b) => b.match_value)].filter(
        (v): v is string => v !== null,
      ),
    ),
  ]
  const notes: SkippedRecord[] = []
  await rematch(tx, c, matching, values, notes)
  // Accounts of the page without a value (or deleted) match nothing, unless an admin confirmed.
  await tx.execute(sql`
    update source_accounts set customer_id = null, ambiguous = false
    where organization_id = ${org} and connection_id = ${conn} and match_value is null
      and external_id in (select value from jsonb_array_elements_text(${json(rows.map((r) => r.external_id))}))`)
  if (!c.ownsContacts) return { updated: 0, notes }

  const { rows: feeds } = await tx.execute<{ external_id: string; customer_id: string }>(sql`
    select a.external_id, coalesce(a.customer_id, a.confirmed_customer_id) as customer_id
    from source_accounts a
    join customers k on k.organization_id = a.organization_id
      and k.id = coalesce(a.customer_id, a.confirmed_customer_id) and k.archived_at is null
    where a.organization_id = ${org} and a.connection_id = ${conn} and a.deleted_at is null
      and not a.ambiguous
      and a.external_id in (select value from jsonb_array_elements_text(${json(rows.map((r) => r.external_id))}))`)
  // One account feeds a customer: an identifier's match wins over a confirmed name match.
  const fed = new Set<string>()
  const matched: Matched[] = feeds.flatMap((f) => {
    if (fed.has(f.customer_id)) return []
    fed.add(f.customer_id)
    return [{ externalId: f.external_id, customerId: f.customer_id }]
  })
  const released = await releaseCustomers(tx, c)
  // A contact the source moved to another account leaves the customer it was on now, not at
  // the next full run (an incremental run lists the account it joined, not the one it left).
  const feeding = new Map(matched.map((m) => [m.externalId, m.customerId]))
  const left = await archiveMovedContacts(
    tx,
    c,
    accounts.flatMap((a) =>
      a.contacts.map((contact) => ({
        externalId: contact.externalId,
        customerId: feeding.get(a.externalId) ?? null,
      })),
    ),
  )
  const byId = new Map(accounts.map((a) => [a.externalId, a]))
  const lists = matched.flatMap((m) => {
    const account = byId.get(m.externalId)
    return account ? [{ customerId: m.customerId, contacts: account.contacts }] : []
  })
  await tx.execute(sql`
    update customers set contacts_connection_id = ${conn}
    where organization_id = ${org} and id in ${ids(lists.map((l) => l.customerId))}
      and contacts_connection_id is distinct from ${conn}`)
  const changed = await mirrorContactLists(tx, c, lists)
  const managers = await setAccountManagers(tx, c, matched, byId, notes)
  for (const account of accounts) {
    for (const contact of account.contacts) {
      if (contact.email !== null) continue
      if (!matched.some((m) => m.externalId === account.externalId)) continue
      notes.push({
        externalId: contact.externalId,
        reason: `${[contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.externalId} (account ${account.name}) has no email: kept, but receives no reminders.`,
      })
    }
  }
  return { updated: new Set([...changed, ...managers, ...released, ...left]).size, notes }
}

/**
 * Matches the accounts holding these values again: an account matches the one customer whose
 * field equals its value when no other live account shares the value; otherwise each of them
 * is ambiguous (reported) and matches nothing.
 */
async function rematch(
  tx: Tx,
  c: ApplyContext,
  matching: AccountMatching,
  values: string[],
  notes: SkippedRecord[],
): Promise<void> {
  if (values.length === 0) return
  const org = sql`${c.organizationId}::uuid`
  const conn = sql`${c.connectionId}::uuid`
  const field = sql.raw(
    { externalId: 'external_id', accountingCode: 'accounting_code', vatNumber: 'vat_number' }[
      matching.customerField
    ],
  )
  // Record ids: a customer may hold the 15-character form (case-sensitive) or the 18 (not).
  const equal = matching.recordIds
    ? sql`((length(k.${field}) = 15 and k.${field} = left(v.value, 15))
        or (length(k.${field}) = 18 and lower(k.${field}) = lower(v.value)))`
    : sql`btrim(k.${field}) = v.value`
  const { rows } = await tx.execute<{
    value: string
    accounts: string[]
    names: string[]
    customers: string[]
  }>(sql`
    select v.value,
      (select coalesce(jsonb_agg(a.external_id order by a.external_id), '[]') from source_accounts a
        where a.organization_id = ${org} and a.connection_id = ${conn}
          and a.match_value = v.value and a.deleted_at is null) as accounts,
      (select coalesce(jsonb_agg(a.name order by a.external_id), '[]') from source_accounts a
        where a.organization_id = ${org} and a.connection_id = ${conn}
          and a.match_value = v.value and a.deleted_at is null) as names,
      (select coalesce(jsonb_agg(k.id), '[]') from customers k
        where k.organization_id = ${org} and k.archived_at is null and ${equal}) as customers
    from jsonb_array_elements_text(${json(values)}) as v(value)`)
  const updates: { external_id: string; customer_id: string | null; ambiguous: boolean }[] = []
  for (const row of rows) {
    const ambiguous = row.accounts.length > 1 || row.customers.length > 1
    const customerId = !ambiguous && row.customers.length === 1 ? (row.customers[0] ?? null) : null
    for (const externalId of row.accounts) {
      updates.push({ external_id: externalId, customer_id: customerId, ambiguous })
    }
    if (row.accounts.length > 1) {
      notes.push({
        externalId: null,
        reason: `${row.accounts.length} accounts (${row.names.join(', ')}) have the identifier "${row.value}": none of them was imported. Give each account its own identifier.`,
      })
    } else if (row.customers.length > 1) {
      notes.push({
        externalId: row.accounts[0] ?? null,
        reason: `Account ${row.names[0] ?? ''} has the identifier "${row.value}", which ${row.customers.length} customers carry: it was not imported.`,
      })
    }
  }
  await tx.execute(sql`
    update source_accounts a set customer_id = u.customer_id, ambiguous = u.ambiguous
    from jsonb_to_recordset(${json(updates)}) as u(external_id text, customer_id uuid, ambiguous boolean)
    where a.organization_id = ${org} and a.connection_id = ${conn} and a.external_id = u.external_id`)
}

/**
 * Customers this connection fed that no live, unambiguous account feeds any more: their
 * contacts from it are archived, and they no longer belong to it.
 */
async function releaseCustomers(tx: Tx, c: ApplyContext): Promise<string[]> {
  const org = sql`${c.organizationId}::uuid`
  const conn = sql`${c.connectionId}::uuid`
  const { rows } = await tx.execute<{ id: string }>(sql`
    update customers k set contacts_connection_id = null
    where k.organization_id = ${org} and k.contacts_connection_id = ${conn}
      and not exists (select 1 from source_accounts a
        where a.organization_id = ${org} and a.connection_id = ${conn} and a.deleted_at is null
          and not a.ambiguous and coalesce(a.customer_id, a.confirmed_customer_id) = k.id)
    returning k.id`)
  const released = rows.map((r) => r.id)
  if (released.length > 0) await archiveFrom(tx, c, released)
  return released
}

/** Archives the live contacts this connection brought to these customers. */
async function archiveFrom(tx: Tx, c: ApplyContext, customers: string[]): Promise<void> {
  const { rows } = await tx.execute<{ id: string }>(sql`
    select id from contacts where organization_id = ${c.organizationId}::uuid
      and customer_id in ${ids(customers)} and archived_at is null
      and source_connection_id is distinct from ${c.connectionId}::uuid`)
  await archiveContacts(
    tx,
    c,
    customers,
    rows.map((r) => r.id),
  )
}

/** The end of a full run: accounts it did not list are gone at the source. */
export async function retireUnseenAccounts(tx: Tx, c: ApplyContext): Promise<number> {
  const org = sql`${c.organizationId}::uuid`
  const conn = sql`${c.connectionId}::uuid`
  await tx.execute(sql`
    update source_accounts a set deleted_at = now(), customer_id = null, ambiguous = false
    where a.organization_id = ${org} and a.connection_id = ${conn} and a.deleted_at is null
      and not exists (select 1 from sync_run_seen s where s.organization_id = ${org}
        and s.run_id = ${c.runId}::uuid and s.external_id = a.external_id)`)
  if (!c.ownsContacts) return 0
  return (await releaseCustomers(tx, c)).length
}

/**
 * The owner of each matched account becomes the customer's account manager when a member with
 * the account-manager role has that email; otherwise the customer keeps its account managers
 * and the run says why. Each change is in the customer's history, by the source. Returns the
 * customers whose account managers changed.
 */
async function setAccountManagers(
  tx: Tx,
  c: ApplyContext,
  matched: Matched[],
  accounts: Map<string, AccountRecord>,
  notes: SkippedRecord[],
): Promise<string[]> {
  const owned = matched.flatMap((m) => {
    const email = accounts.get(m.externalId)?.ownerEmail ?? null
    return email ? [{ customer_id: m.customerId, email, account: m.externalId }] : []
  })
  if (owned.length === 0) return []
  const org = sql`${c.organizationId}::uuid`
  const { rows: members } = await tx.execute<{ id: string; email: string }>(sql`
    select m.id, lower(m.email) as email from members m
    where m.organization_id = ${org} and m.role = 'account_manager'
      and lower(m.email) in (select value from jsonb_array_elements_text(${json(owned.map((o) => o.email))}))`)
  const memberOf = new Map(members.map((m) => [m.email, m.id]))
  const wanted = owned.flatMap((o) => {
    const member = memberOf.get(o.email)
    if (!member) {
      const name = accounts.get(o.account)?.name ?? o.account
      notes.push({
        externalId: o.account,
        reason: `The owner of account ${name}, ${o.email}, is not a member with the account-manager role: the customer keeps its account managers. Invite ${o.email} as an account manager.`,
      })
      return []
    }
    return [{ customer_id: o.customer_id, member_id: member }]
  })
  if (wanted.length === 0) return []
  const { rows: before } = await tx.execute<{ id: string; before: unknown }>(sql`
    select k.id, ${customerSnapshot('k')} as before from customers k
    where k.organization_id = ${org} and k.id in ${ids(wanted.map((w) => w.customer_id))}`)
  const { rows: changed } = await tx.execute<{ customer_id: string }>(sql`
    with w as (select * from jsonb_to_recordset(${json(wanted)}) as w(customer_id uuid, member_id uuid)),
    gone as (
      delete from customer_account_managers m using w
      where m.organization_id = ${org} and m.customer_id = w.customer_id and m.member_id <> w.member_id
      returning m.customer_id
    ),
    added as (
      insert into customer_account_managers (organization_id, customer_id, member_id)
      select ${org}, w.customer_id, w.member_id from w
      on conflict do nothing
      returning customer_id
    )
    select customer_id from gone union select customer_id from added`)
  const customers = new Set(changed.map((r) => r.customer_id))
  if (customers.size === 0) return []
  await tx.execute(sql`
    with b as (
      select * from jsonb_to_recordset(${json(before.filter((b) => customers.has(b.id)))})
        as b(id uuid, before jsonb)
    )
    ${auditInsert}
    select ${org}, 'customer', k.id, k.id, 'update', ${actorValues(c.actor)}, b.before,
      ${customerSnapshot('k')}
    from customers k join b on k.organization_id = ${org} and k.id = b.id`)
  return [...customers]
}
