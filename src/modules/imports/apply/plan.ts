import { sql, type SQL } from 'drizzle-orm'
import { contactCatalogue, customerCatalogue, type FieldDecl } from '../../../contracts/fields.ts'
import type { ImportField } from '../../../contracts/imports.ts'
import type { DbOrTx } from '../../../platform/db/client.ts'
import { contacts, customers } from '../../../platform/db/schema/index.ts'
import { refreshStatistics } from '../../../platform/db/statistics.ts'
import { systemNames } from '../../sources/systems.ts'

/**
 * The set-based half of validation: after every line has been checked on its own and staged,
 * these statements resolve all lines at once against the organisation's customers and contacts:
 * which customer, group and contact each line is about, which lines a source's ownership refuses,
 * and what each line will create or change. One statement each, in order; each one only looks at
 * lines not yet rejected.
 */
export interface PlanContext {
  organizationId: string
  importId: string
  /** The file's header text for each mapped field, to name the column of a rejection. */
  headers: Partial<Record<ImportField, string>>
  /**
   * The connection contacts are synced from and its system's name, or null (Roster owns the
   * contacts, or they were disconnected): see sources/ownership.ts.
   */
  contactSource: { connectionId: string; name: string } | null
  chunkSize: number
}

const scope = (c: PlanContext, alias: string): SQL =>
  sql`${sql.raw(alias)}.organization_id = ${c.organizationId}::uuid and ${sql.raw(alias)}.import_id = ${c.importId}::uuid`

/**
 * Whether the file maps one of `fields`. A pass that only looks at lines with such a value is
 * not run otherwise: each pass reads every staged line, whatever it finds.
 */
const maps = (c: PlanContext, ...fields: ImportField[]): boolean =>
  fields.some((field) => c.headers[field] !== undefined)

const systemName = (column: string): SQL =>
  sql`(${JSON.stringify(systemNames)}::jsonb ->> ${sql.raw(column)}::text)`

/**
 * One pass over the staged lines, in a transaction of its own with room to hash and sort them in
 * memory: with PostgreSQL's default of 4 MB, the passes over a million lines spill to temporary
 * files.
 */
async function pass(db: DbOrTx, statement: SQL): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '64MB'`)
    await tx.execute(statement)
  })
}

/** Rejects the lines a query selects (`line`, `value`, `reason`), recording why. */
async function reject(db: DbOrTx, c: PlanContext, field: ImportField, rows: SQL): Promise<void> {
  await pass(
    db,
    sql`
    with x as (${rows}),
    r as (
      update import_lines l set rejected = true
      from x where ${scope(c, 'l')} and l.line = x.line and not l.rejected
      returning l.line, x.value, x.reason
    )
    insert into import_rejections (organization_id, import_id, line, "column", value, reason)
    select ${c.organizationId}::uuid, ${c.importId}::uuid, line, ${c.headers[field] ?? null}::text, value, reason
    from r
    on conflict do nothing`,
  )
}

/** Customer fields a file can set, with the stored column they compare to (the catalogue's). */
const importedCustomerFields = Object.values(
  customerCatalogue as Record<string, FieldDecl>,
).flatMap((f) =>
  f.import && f.staged && f.column
    ? [{ field: f.import.key as ImportField, line: f.staged.column, stored: f.column, f }]
    : [],
)
const customerFields: [ImportField, string, string][] = importedCustomerFields.map(
  ({ field, line, stored }) => [field, line, stored],
)
/** Those a source may own: a synced customer refuses a change to them. */
const sourceOwnedFields: [ImportField, string, string][] = importedCustomerFields
  .filter(({ f }) => f.owner === 'source')
  .map(({ field, line, stored }) => [field, line, stored])

/** Contact fields a file can set (the main contact flag has its own code). */
const contactFields: [string, string][] = Object.entries(
  contactCatalogue as Record<string, FieldDecl>,
).flatMap(([key, f]) =>
  f.import && f.staged && f.column && key !== 'isMain' ? [[f.staged.column, f.column]] : [],
)

const changes = (line: string, stored: string) =>
  sql.raw(`(${line} is not null and ${line} is distinct from ${stored})`)

/**
 * Each customer's main contact as the file decides it (its latest line marking one), for the
 * `main` alias of `mainChanged`: the merge's rule, so a file marking two changes nothing twice.
 */
const mainOfFile = (c: PlanContext): SQL => sql`
  select distinct on (customer_id) customer_id, contact_id from import_lines l
  where ${scope(c, 'l')} and not l.rejected and l.contact_is_main and l.contact_id is not null
  order by customer_id, line desc`

/** Whether the line's main contact cell changes contact `k`, `main` being `mainOfFile` joined. */
const mainChanged = sql`(l.contact_is_main is not null
  and k.is_main <> coalesce(main.contact_id = l.contact_id, false))`

/**
 * Fresh statistics between passes: the planner must know how many lines a pass has keyed,
 * or it takes them for a handful and joins them row by row (minutes for 10,000 lines).
 */
async function analyze(db: DbOrTx): Promise<void> {
  // Only the columns the passes join and group on, from a smaller sample: the row count and the
  // keys' spread are what keep the planner off row-by-row joins, and a full analysis of all the
  // staged columns cost a quarter of a dry run.
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local default_statistics_target = 20`)
    await tx.execute(sql`analyze import_lines (${sql.raw(analyzedColumns.join(', '))})`)
  })
}
const analyzedColumns = [
  'organization_id',
  'import_id',
  'line',
  'rejected',
  'customer_key',
  'customer_id',
  'customer_is_new',
  'group_key',
  'group_id',
  'contact_key',
  'contact_id',
  'contact_is_new',
  'chunk',
]

export async function planImport(db: DbOrTx, c: PlanContext): Promise<void> {
  const live = sql`${scope(c, 'l')} and not l.rejected`
  // PGlite has no autovacuum to keep statistics current.
  await refreshStatistics(db, [customers, contacts])
  await analyze(db)

  // Customers: by Customer ID (a new one's lines keyed by it), else by name.
  if (maps(c, 'customer.externalId')) await keyCustomersById(db, c)
  await pass(
    db,
    sql`
    with m as (
      select l.line, count(*) as n, (array_agg(c.id))[1] as id
      from import_lines l
      join customers c on c.organization_id = l.organization_id
        and lower(c.name) = lower(l.customer_name) and c.archived_at is null
      where ${live} and l.customer_key is null
      group by l.line having count(*) = 1
    )
    update import_lines l set customer_id = m.id, customer_key = 'id:' || m.id
    from m where ${scope(c, 'l')} and l.line = m.line`,
  )
  await reject(
    db,
    c,
    'customer.name',
    sql`select l.line, l.customer_name as value,
        'Several customers are named "' || l.customer_name || '"; add the Customer ID to say which one.' as reason
      from import_lines l
      where ${live} and l.customer_key is null
        and (select count(*) from customers c where c.organization_id = l.organization_id
          and lower(c.name) = lower(l.customer_name) and c.archived_at is null) > 1`,
  )
  // A new customer named on some lines and given an ID on others is one customer.
  if (maps(c, 'customer.externalId')) {
    await pass(
      db,
      sql`
      with k as (
        select lower(customer_name) as name, min(customer_key) as key
        from import_lines l where ${live} and customer_key like 'ext:%' and customer_name is not null
        group by 1 having count(distinct customer_key) = 1
      )
      update import_lines l set customer_key = k.key
      from k where ${live} and l.customer_key is null and lower(l.customer_name) = k.name`,
    )
  }
  // The others are new, keyed by their name: one id each.
  await pass(
    db,
    sql`
    with x as (
      select l.line, coalesce(l.customer_key, 'name:' || lower(l.customer_name)) as key
      from import_lines l where ${live} and (l.customer_key is null or l.customer_key not like 'id:%')
    ),
    n as (select key, gen_random_uuid() as id from x group by key)
    update import_lines l set customer_key = x.key, customer_id = n.id, customer_is_new = true
    from x join n on n.key = x.key where ${scope(c, 'l')} and l.line = x.line`,
  )

  await analyze(db)
  await planGroups(db, c)
  await rejectSourceOwnedCustomers(db, c)
  await planContacts(db, c)
  await analyze(db)
  await classifyAndChunk(db, c)
  await analyze(db)
}

/** Lines with a Customer ID: the customer it names, or a new one keyed by it (rejected unnamed). */
async function keyCustomersById(db: DbOrTx, c: PlanContext): Promise<void> {
  const live = sql`${scope(c, 'l')} and not l.rejected`
  await pass(
    db,
    sql`
    with x as (
      select l.line, c.id from import_lines l
      left join customers c on c.organization_id = l.organization_id
        and c.external_id = l.customer_external_id
      where ${live} and l.customer_external_id is not null
    )
    update import_lines l set customer_id = x.id,
      customer_key = case when x.id is null then 'ext:' || l.customer_external_id else 'id:' || x.id end
    from x where ${scope(c, 'l')} and l.line = x.line`,
  )
  await analyze(db)
  await reject(
    db,
    c,
    'customer.externalId',
    sql`select l.line, l.customer_external_id as value,
        'No customer has the Customer ID "' || l.customer_external_id || '"; check the ID, or add the Customer name to create the customer.' as reason
      from import_lines l
      join (
        select customer_key from import_lines l where ${live} and customer_key like 'ext:%'
        group by customer_key having bool_and(customer_name is null)
      ) unnamed on unnamed.customer_key = l.customer_key
      where ${live}`,
  )
}

async function planGroups(db: DbOrTx, c: PlanContext): Promise<void> {
  if (!maps(c, 'group.name', 'group.externalId')) return
  const live = sql`${scope(c, 'l')} and not l.rejected`
  const pending = sql`${live} and l.group_key is null and (l.group_external_id is not null or l.group_name is not null)`
  await pass(
    db,
    sql`
    update import_lines l set group_id = c.id, group_key = 'id:' || c.id
    from customers c
    where ${pending} and l.group_external_id is not null
      and c.organization_id = l.organization_id and c.external_id = l.group_external_id`,
  )
  await pass(
    db,
    sql`
    with f as (
      select distinct on (customer_external_id) customer_external_id, customer_key, customer_id
      from import_lines l where ${live} and customer_is_new and customer_external_id is not null
    )
    update import_lines l set group_id = f.customer_id, group_key = f.customer_key
    from f where ${pending} and l.group_external_id = f.customer_external_id`,
  )
  await reject(
    db,
    c,
    'group.externalId',
    sql`select l.line, l.group_external_id as value,
        'No customer has the Group ID "' || l.group_external_id || '"; check the ID, or add the Group name to create the group.' as reason
      from import_lines l where ${pending} and l.group_external_id is not null and l.group_name is null`,
  )
  await pass(
    db,
    sql`
    update import_lines l set group_key = 'ext:' || l.group_external_id
    where ${pending} and l.group_external_id is not null`,
  )
  await pass(
    db,
    sql`
    with m as (
      select l.line, (array_agg(c.id))[1] as id
      from import_lines l
      join customers c on c.organization_id = l.organization_id
        and lower(c.name) = lower(l.group_name) and c.archived_at is null
      where ${pending}
      group by l.line having count(*) = 1
    )
    update import_lines l set group_id = m.id, group_key = 'id:' || m.id
    from m where ${scope(c, 'l')} and l.line = m.line`,
  )
  await reject(
    db,
    c,
    'group.name',
    sql`select l.line, l.group_name as value,
        'Several customers are named "' || l.group_name || '"; add the Group ID to say which one is the group.' as reason
      from import_lines l where ${pending}
        and (select count(*) from customers c where c.organization_id = l.organization_id
          and lower(c.name) = lower(l.group_name) and c.archived_at is null) > 1`,
  )
  await pass(
    db,
    sql`
    with k as (
      select lower(customer_name) as name, min(customer_key) as key, min(customer_id::text)::uuid as id
      from import_lines l where ${live} and customer_is_new and customer_name is not null
      group by 1 having count(distinct customer_key) = 1
    )
    update import_lines l set group_key = k.key, group_id = k.id
    from k where ${pending} and lower(l.group_name) = k.name`,
  )
  await pass(
    db,
    sql`
    update import_lines l set group_key = 'name:' || lower(l.group_name)
    where ${pending}`,
  )
  // Groups named only on their subsidiaries' lines are created by the import.
  await pass(
    db,
    sql`
    with n as (
      select group_key, gen_random_uuid() as id from import_lines l
      where ${live} and group_key is not null and group_id is null group by group_key
    )
    update import_lines l set group_id = n.id
    from n where ${live} and l.group_key = n.group_key and l.group_id is null`,
  )
  await reject(
    db,
    c,
    'group.name',
    sql`select l.line, coalesce(l.group_name, l.group_external_id) as value,
        'A customer cannot be in its own group.' as reason
      from import_lines l where ${live} and l.group_id = l.customer_id`,
  )
  await reject(
    db,
    c,
    'group.name',
    sql`select l.line, coalesce(l.group_name, l.group_external_id) as value,
        'This group is itself in this customer''s group: groups cannot go round in a loop.' as reason
      from import_lines l join customers g on g.organization_id = l.organization_id and g.id = l.group_id
      where ${live} and g.group_id = l.customer_id`,
  )
}

async function rejectSourceOwnedCustomers(db: DbOrTx, c: PlanContext): Promise<void> {
  const live = sql`${scope(c, 'l')} and not l.rejected`
  // Most organisations sync no customer from a source: then no line can be refused here, and the
  // checks (one pass over the lines each) are not run.
  const { rows } = await db.execute<{ synced: boolean }>(sql`
    select exists (select 1 from customers where organization_id = ${c.organizationId}::uuid
      and source_connection_id is not null) as synced`)
  if (!rows[0]?.synced) return
  const owned: [ImportField, string, string][] = [
    ...sourceOwnedFields,
    ['group.name', 'group_id', 'group_id'],
  ]
  for (const [field, line, stored] of owned) {
    await reject(
      db,
      c,
      field,
      sql`select l.line, ${sql.raw(field === 'group.name' ? 'l.group_name' : `l.${line}`)}::text as value,
          'This customer is synced from ' || ${systemName('s.system')} || ': change it in ' || ${systemName('s.system')} || '.' as reason
        from import_lines l
        join customers c on c.organization_id = l.organization_id and c.id = l.customer_id
        join connections s on s.organization_id = c.organization_id and s.id = c.source_connection_id
        where ${live} and not l.customer_is_new and ${changes(`l.${line}`, `c.${stored}`)}`,
    )
  }
}

async function planContacts(db: DbOrTx, c: PlanContext): Promise<void> {
  const live = sql`${scope(c, 'l')} and not l.rejected`
  const pending = sql`${live} and l.contact_key is null and (l.contact_email is not null or l.contact_external_id is not null)`
  const byId = maps(c, 'contact.externalId')
  // By Contact ID, else by email, within the customer.
  if (byId) {
    await pass(
      db,
      sql`
      update import_lines l set contact_id = k.id, contact_key = 'id:' || k.id
      from contacts k
      where ${pending} and not l.customer_is_new and l.contact_external_id is not null
        and k.organization_id = l.organization_id and k.customer_id = l.customer_id
        and k.external_id = l.contact_external_id and k.archived_at is null`,
    )
  }
  await pass(
    db,
    sql`
    update import_lines l set contact_id = k.id, contact_key = 'id:' || k.id
    from contacts k
    where ${pending} and not l.customer_is_new and l.contact_email is not null
      and k.organization_id = l.organization_id and k.customer_id = l.customer_id
      and lower(k.email) = lower(l.contact_email) and k.archived_at is null`,
  )
  // A contact this file renames is found by its new email on the file's other lines.
  await pass(
    db,
    sql`
    with f as (
      select distinct on (customer_key, lower(contact_email)) customer_key, lower(contact_email) as email,
        contact_key, contact_id
      from import_lines l
      where ${live} and contact_key like 'id:%' and contact_email is not null
      order by customer_key, lower(contact_email), line desc
    )
    update import_lines l set contact_id = f.contact_id, contact_key = f.contact_key
    from f where ${pending} and l.contact_email is not null
      and l.customer_key = f.customer_key and lower(l.contact_email) = f.email`,
  )
  // A line naming a new contact by its Contact ID only, where another line gives its email;
  // a Contact ID naming no contact and no email.
  if (byId) {
    await pass(
      db,
      sql`
      with f as (
        select distinct on (customer_key, contact_external_id) customer_key, contact_external_id, contact_email
        from import_lines l
        where ${live} and contact_external_id is not null and contact_email is not null and contact_id is null
        order by customer_key, contact_external_id, line desc
      )
      update import_lines l set contact_key = 'new:' || l.customer_key || '|' || lower(f.contact_email)
      from f where ${pending} and l.contact_email is null
        and l.customer_key = f.customer_key and l.contact_external_id = f.contact_external_id`,
    )
    await reject(
      db,
      c,
      'contact.externalId',
      sql`select l.line, l.contact_external_id as value,
          'No contact of this customer has the Contact ID "' || l.contact_external_id || '"; add the Contact email to create the contact.' as reason
        from import_lines l where ${pending} and l.contact_email is null`,
    )
  }
  // The others are new, keyed by their customer and email: one id each.
  await pass(
    db,
    sql`
    with x as (
      select l.line,
        coalesce(l.contact_key, 'new:' || l.customer_key || '|' || lower(l.contact_email)) as key
      from import_lines l
      where ${live} and (l.contact_key not like 'id:%' or (l.contact_key is null and l.contact_email is not null))
    ),
    n as (select key, gen_random_uuid() as id from x group by key)
    update import_lines l set contact_key = x.key, contact_id = n.id, contact_is_new = true
    from x join n on n.key = x.key where ${scope(c, 'l')} and l.line = x.line`,
  )
  await reject(
    db,
    c,
    'contact.email',
    sql`select l.line, l.contact_email as value,
        'Another contact of this customer already has the email ' || l.contact_email || '.' as reason
      from import_lines l
      where ${live} and not l.contact_is_new and l.contact_email is not null
        and exists (select 1 from contacts k where k.organization_id = l.organization_id
          and k.customer_id = l.customer_id and k.id <> l.contact_id
          and lower(k.email) = lower(l.contact_email) and k.archived_at is null)`,
  )
  if (!c.contactSource) return
  const changed = contactFields.map(([line, stored]) => changes(`l.${line}`, `k.${stored}`))
  const source = c.contactSource
  await reject(
    db,
    c,
    'contact.email',
    sql`select l.line, l.contact_email as value,
        ${`Contacts of this customer are synced from ${source.name}: change them in ${source.name}.`}::text as reason
      from import_lines l
      join customers c on c.organization_id = l.organization_id and c.id = l.customer_id
      left join contacts k on k.organization_id = l.organization_id and k.id = l.contact_id
      left join (${mainOfFile(c)}) main on main.customer_id = l.customer_id
      where ${live} and l.contact_id is not null and not l.customer_is_new
        and (c.source_connection_id = ${source.connectionId}::uuid
          or k.source_connection_id = ${source.connectionId}::uuid)
        and (l.contact_is_new or ${sql.join(changed, sql` or `)} or ${mainChanged})`,
  )
}

/**
 * What each line creates or changes, and its chunk, in one pass over the lines. A new customer
 * or contact is created by its first line; its other lines add to it. An existing one is
 * updated when a filled cell differs from what Roster holds. Chunks are whole customers (a
 * customer's lines decide its main contact together), in the order of their first lines; groups
 * go first, in chunk 0, so subsidiaries can point at them.
 */
async function classifyAndChunk(db: DbOrTx, c: PlanContext): Promise<void> {
  const live = sql`${scope(c, 'l')} and not l.rejected`
  const customerChanged = sql.join(
    [
      ...customerFields.map(([, line, stored]) => changes(`l.${line}`, `c.${stored}`)),
      changes('l.group_id', 'c.group_id'),
      sql`(l.account_manager_ids is not null and
        (select coalesce(array_agg(x order by x), '{}') from unnest(l.account_manager_ids) x)
        is distinct from
        (select coalesce(array_agg(m.member_id order by m.member_id), '{}') from customer_account_managers m
          where m.organization_id = l.organization_id and m.customer_id = l.customer_id))`,
    ],
    sql` or `,
  )
  const contactChanged = sql.join(
    [...contactFields.map(([line, stored]) => changes(`l.${line}`, `k.${stored}`)), mainChanged],
    sql` or `,
  )
  // A key's lines are all new or all existing: numbering them over all live lines numbers the
  // new ones alone.
  await pass(
    db,
    sql`
    with o as (
      select l.line, l.customer_key,
        min(l.line) over (partition by l.customer_key) as first,
        case
          when l.customer_is_new then
            case when row_number() over (partition by l.customer_key order by l.line) = 1
              then 'create' else 'unchanged' end
          when c.id is not null then
            case when ${customerChanged} then 'update' else 'unchanged' end
        end as customer_outcome,
        case
          when l.contact_is_new then
            case when row_number() over (partition by l.contact_key order by l.line) = 1
              then 'create' else 'unchanged' end
          when k.id is not null then
            case when ${contactChanged} then 'update' else 'unchanged' end
        end as contact_outcome
      from import_lines l
      left join customers c on not l.customer_is_new
        and c.organization_id = l.organization_id and c.id = l.customer_id
      left join contacts k on not l.contact_is_new
        and k.organization_id = l.organization_id and k.id = l.contact_id
      left join (${mainOfFile(c)}) main on main.customer_id = k.customer_id
      where ${live}
    ),
    p as (
      select distinct group_key from import_lines l where ${live} and group_key is not null
    ),
    r as (
      select o.line, o.customer_outcome, o.contact_outcome,
        case when p.group_key is not null then 0
          else (dense_rank() over (order by o.first) - 1) / ${c.chunkSize} + 1 end as chunk
      from o left join p on p.group_key = o.customer_key
    )
    update import_lines l
    set customer_outcome = r.customer_outcome, contact_outcome = r.contact_outcome, chunk = r.chunk
    from r where ${scope(c, 'l')} and l.line = r.line`,
  )
}
