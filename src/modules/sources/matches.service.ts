import { sql } from 'drizzle-orm'
import type { AccountMatches } from '../../contracts/sources.ts'
import type { DbOrTx, Tx } from '../../platform/db/client.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { findConnectionRow } from './connections.queries.ts'
import type { Connectors } from './connectors/index.ts'
import { requestRun } from './sync/runs.service.ts'

/**
 * The matching screen of a contact-only source (a CRM): read from the accounts its runs stored
 * (`source_accounts`) and the organisation's live customers. Name matches are only suggested;
 * an admin's confirmation links the account, and a full run applies it.
 */

function assertFeedsContacts(connectors: Connectors, system: string): void {
  const connector = connectors[system as keyof Connectors]
  if (connector?.descriptor.feeds !== 'contacts') {
    throw new AppError(
      'validation_failed',
      'Only a contact source that brings no customers (Salesforce) matches accounts to customers.',
    )
  }
}

interface CustomerCell {
  id: string
  name: string
  externalId: string | null
}
interface AccountCell {
  id: string
  name: string
  matchValue: string | null
}

export async function accountMatches(
  db: DbOrTx,
  connectors: Connectors,
  organizationId: string,
  connectionId: string,
): Promise<AccountMatches> {
  const row = await findConnectionRow(db, organizationId, connectionId)
  assertFeedsContacts(connectors, row.system)
  const org = sql`${organizationId}::uuid`
  const conn = sql`${connectionId}::uuid`
  const { rows: accounts } = await db.execute<{
    external_id: string
    name: string
    match_value: string | null
    customer_id: string | null
    confirmed_customer_id: string | null
    ambiguous: boolean
  }>(sql`
    select external_id, name, match_value, customer_id, confirmed_customer_id, ambiguous
    from source_accounts
    where organization_id = ${org} and connection_id = ${conn} and deleted_at is null
    order by name, external_id`)
  const { rows: customers } = await db.execute<{
    id: string
    name: string
    external_id: string | null
  }>(sql`
    select id, name, external_id from customers
    where organization_id = ${org} and archived_at is null and source_connection_id is not null
      and source_connection_id <> ${conn}
    order by lower(name), id`)
  const cell = (c: { id: string; name: string; external_id: string | null }): CustomerCell => ({
    id: c.id,
    name: c.name,
    externalId: c.external_id,
  })
  const account = (a: (typeof accounts)[number]): AccountCell => ({
    id: a.external_id,
    name: a.name,
    matchValue: a.match_value,
  })
  const byId = new Map(customers.map((c) => [c.id, c]))
  const matched: AccountMatches['matched'] = []
  const fed = new Set<string>()
  for (const a of accounts) {
    if (a.ambiguous) continue
    const id = a.customer_id ?? a.confirmed_customer_id
    const customer = id ? byId.get(id) : undefined
    if (!customer || fed.has(customer.id)) continue
    fed.add(customer.id)
    matched.push({
      customer: cell(customer),
      account: account(a),
      by: a.customer_id ? 'identifier' : 'confirmed',
    })
  }
  const groups = new Map<string, typeof accounts>()
  for (const a of accounts) {
    if (!a.ambiguous || a.match_value === null) continue
    groups.set(a.match_value, [...(groups.get(a.match_value) ?? []), a])
  }
  const ambiguous: AccountMatches['ambiguous'] = [...groups].map(([value, group]) => ({
    matchValue: value,
    accounts: group.map(account),
    customers: customers.filter((c) => c.external_id === value).map(cell),
  }))
  const linked = new Set(matched.map((m) => m.account.id))
  const normal = (name: string): string => name.trim().toLowerCase().replace(/\s+/g, ' ')
  const unmatched = customers
    .filter((c) => !fed.has(c.id))
    .map((c) => ({
      customer: cell(c),
      suggestions: accounts
        .filter(
          (a) => !linked.has(a.external_id) && !a.ambiguous && normal(a.name) === normal(c.name),
        )
        .map(account),
    }))
  return { matched, ambiguous, unmatched }
}

/** Links an account to a customer on an admin's word; a full run then brings its contacts. */
export async function confirmMatch(
  tx: Tx,
  queue: Queue,
  connectors: Connectors,
  scope: Scope,
  connectionId: string,
  input: { customerId: string; accountId: string },
): Promise<AccountMatches> {
  const org = scope.organizationId
  const row = await findConnectionRow(tx, org, connectionId)
  assertFeedsContacts(connectors, row.system)
  const { rows: customer } = await tx.execute<{ id: string; name: string }>(sql`
    select id, name from customers where organization_id = ${org}::uuid and id = ${input.customerId}::uuid
      and archived_at is null`)
  if (!customer[0]) throw notFound('Customer')
  const { rows } = await tx.execute<{ name: string }>(sql`
    update source_accounts set confirmed_customer_id = ${input.customerId}::uuid
    where organization_id = ${org}::uuid and connection_id = ${connectionId}::uuid
      and external_id = ${input.accountId} and deleted_at is null
    returning name`)
  if (!rows[0]) {
    throw new AppError('not_found', 'No such account in the last sync; run a sync first.', [
      { path: 'accountId', message: 'Not found.' },
    ])
  }
  await recordAudit(tx, scope, {
    entity: 'customer',
    entityId: input.customerId,
    customerId: input.customerId,
    action: 'update',
    before: null,
    after: { contactsFrom: rows[0].name, account: input.accountId },
  })
  await requestRun(tx, queue, { organizationId: org, connectionId, full: true, trigger: 'manual' })
  return accountMatches(tx, connectors, org, connectionId)
}
