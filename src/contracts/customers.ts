import { z } from 'zod'
import { pageQuery, warning } from './common.ts'
import { customerCatalogue, reads, writes } from './fields.ts'

/** The write fields, from the catalogue (src/contracts/fields.ts). */
export const customerFields = writes(customerCatalogue)

export const customerCreate = z.strictObject(customerFields)
export const customerPatch = z.strictObject(customerFields).partial()
export type CustomerCreate = z.infer<typeof customerCreate>
export type CustomerPatch = z.infer<typeof customerPatch>

/** The systems a connection links to (the `source_system` enum of the store). */
export const sourceSystems = [
  'chargebee',
  'netsuite',
  'pennylane',
  'quickbooks',
  'salesforce',
  'sellsy',
  'stripe',
  'xero',
  'zuora',
] as const
/** What owns a customer or contact: Roster itself or a connected system. */
export const recordSources = ['roster', ...sourceSystems] as const
export type RecordSource = (typeof recordSources)[number]
export const sourceNames: Record<RecordSource, string> = {
  roster: 'Roster',
  chargebee: 'Chargebee',
  netsuite: 'NetSuite',
  pennylane: 'Pennylane',
  quickbooks: 'QuickBooks',
  salesforce: 'Salesforce',
  sellsy: 'Sellsy',
  stripe: 'Stripe',
  xero: 'Xero',
  zuora: 'Zuora',
}

/** The orders the list offers, each backed by an index; `-` sorts descending. */
export const customerSorts = [
  'name',
  '-name',
  'externalId',
  '-externalId',
  'createdAt',
  '-createdAt',
] as const
export type CustomerSort = (typeof customerSorts)[number]

/** The list's search and filters, shared by the list and the export. */
export const customerFilters = {
  q: z.string().trim().max(200).optional(),
  accountManager: z.string().trim().optional(),
  workflow: z.string().trim().optional(),
  group: z.uuid().optional(),
  source: z
    .enum(recordSources, { error: `Source must be one of ${recordSources.join(', ')}.` })
    .optional(),
  /** `unreachable`: no contact a reminder can reach; `bounced`: a contact's email bounced. */
  reach: z
    .enum(['unreachable', 'bounced'], { error: 'Reach is unreachable or bounced.' })
    .optional(),
  /** `true`: the archived customers instead of the live ones. */
  archived: z.stringbool({ error: 'Archived is true or false.' }).optional(),
  sort: z
    .enum(customerSorts, { error: `Sort by one of ${customerSorts.join(', ')}.` })
    .default('name'),
}

export const customerListQuery = z.strictObject({ ...customerFilters, ...pageQuery })
export type CustomerFilterQuery = Omit<CustomerListQuery, 'limit' | 'cursor'>
export const customerReachCounts = z.object({
  unreachable: z.number().int(),
  bounced: z.number().int(),
})

export type CustomerListQuery = z.infer<typeof customerListQuery>

const sourceName = z.string()

export const customer = z.object({
  id: z.uuid(),
  ...reads(customerCatalogue),
  /** The source whose sync owns this customer's contacts: Roster refuses changes to them. */
  contactsLockedBy: sourceName.nullable(),
  mainContact: z
    .object({
      id: z.uuid(),
      email: z.string().nullable(),
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
    })
    .nullable(),
  /** How many of its contacts' emails bounced (modules/reminders): reminders pass them over. */
  bouncedContacts: z.number().int(),
  /** When it was archived: hidden from the list and from reminders, kept with its history. */
  archivedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type Customer = z.infer<typeof customer>

export const customerWritten = customer.extend({ warnings: z.array(warning) })

export const auditEvent = z.object({
  id: z.uuid(),
  entity: z.enum(['organization', 'customer', 'contact', 'reminder']),
  entityId: z.uuid(),
  action: z.string(),
  actor: z.object({ kind: z.string(), id: z.uuid().nullable(), label: z.string() }),
  at: z.iso.datetime(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
})

/** At most this many customers in one bulk action by ids. */
export const BULK_LIMIT = 1000
/** At most this many customers in one bulk action on a filter ("select all matching"). */
export const BULK_FILTER_LIMIT = 5000

const bulkIds = z
  .array(z.uuid({ error: 'Not a valid id.' }))
  .min(1, { error: 'Select at least one customer.' })
  .max(BULK_LIMIT, { error: `Select at most ${BULK_LIMIT} customers at a time.` })

/**
 * The customers a bulk action applies to when the list's "select all matching" is used: the
 * list's search and filters (as `GET /customers` and the export read them), in JSON.
 */
export const customerBulkFilter = z.strictObject({
  q: customerFilters.q,
  accountManager: customerFilters.accountManager,
  workflow: customerFilters.workflow,
  group: customerFilters.group,
  source: customerFilters.source,
  reach: customerFilters.reach,
  archived: z.boolean({ error: 'Archived is true or false.' }).optional(),
})
export type CustomerBulkFilter = z.infer<typeof customerBulkFilter>

/** Which customers: `ids` (those ticked) or `filter` (all those the list shows), not both. */
const target = { ids: bulkIds.optional(), filter: customerBulkFilter.optional() }
const oneTarget = (body: { ids?: string[] | undefined; filter?: unknown }): boolean =>
  (body.ids === undefined) !== (body.filter === undefined)
const oneTargetError = {
  error: 'Give either the ids of the customers or the filter that finds them.',
  path: ['ids'],
}

/**
 * One action on selected customers, applied in one transaction: all of them or none. `assign`
 * replaces the account managers and/or sets the workflow (null: none); `archive` and `restore`
 * hide and show them again. The customers are those of `ids`, or all those `filter` finds.
 */
export const customerBulkAction = z.discriminatedUnion(
  'action',
  [
    z
      .strictObject({
        action: z.literal('assign'),
        ...target,
        accountManagers: customerFields.accountManagers,
        workflow: customerFields.workflow,
      })
      .refine(oneTarget, oneTargetError)
      .refine((body) => body.accountManagers !== undefined || body.workflow !== undefined, {
        error: 'Give the account managers or the workflow to assign.',
        path: ['accountManagers'],
      }),
    z.strictObject({ action: z.literal('archive'), ...target }).refine(oneTarget, oneTargetError),
    z.strictObject({ action: z.literal('restore'), ...target }).refine(oneTarget, oneTargetError),
  ],
  { error: 'Action is assign, archive or restore.' },
)
export type CustomerBulkAction = z.infer<typeof customerBulkAction>
export const customerBulkResult = z.object({ updated: z.number().int() })

/** How many customers the list's search and filters find (the list reads them a page at a time). */
export const customerCountQuery = z.strictObject(
  Object.fromEntries(Object.entries(customerFilters).filter(([key]) => key !== 'sort')) as Omit<
    typeof customerFilters,
    'sort'
  >,
)
export const customerCount = z.object({ customers: z.number().int() })
