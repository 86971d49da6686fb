import { z } from 'zod'

/** NetSuite's payloads as we read them: the fields we use, the rest passed through untouched. */

export const netsuiteSettings = z.strictObject({
  accountId: z
    .string()
    .trim()
    .regex(
      /^[0-9]+(_[a-z0-9]+)?$/i,
      'Enter the NetSuite account id, like 1234567 or 1234567_SB1 for a sandbox.',
    ),
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'The base URL must be an http or https address.' })
    .optional(),
})
export type NetSuiteSettings = z.infer<typeof netsuiteSettings>

const secret = (what: string) => z.string().trim().min(1, `Enter the ${what}.`)

/** Token-based authentication: the integration record's consumer and the user's access token. */
export const netsuiteSecrets = z.strictObject({
  consumerKey: secret('consumer key of the integration record'),
  consumerSecret: secret('consumer secret of the integration record'),
  tokenId: secret('token id of the access token'),
  tokenSecret: secret('token secret of the access token'),
})
export type NetSuiteSecrets = z.infer<typeof netsuiteSecrets>

/** SuiteQL answers every value as text; null columns may be absent or null. */
const value = z.string().nullish()
const id = z.string().regex(/^-?\d+$/, 'is not a NetSuite internal id')
const flag = z.enum(['T', 'F']).nullish()

/** The envelope of a REST collection and of a SuiteQL page. */
export const netsuitePage = z.looseObject({
  links: z.array(z.looseObject({ rel: z.string(), href: z.string() })).optional(),
  count: z.number().int(),
  hasMore: z.boolean(),
  items: z.array(z.unknown()),
  offset: z.number().int(),
  totalResults: z.number().int().optional(),
})

export const customerRow = z.looseObject({
  id,
  entityid: value,
  companyname: value,
  isperson: flag,
  firstname: value,
  lastname: value,
  email: value,
  phone: value,
  accountnumber: value,
  isinactive: flag,
})
export type CustomerRow = z.infer<typeof customerRow>

/** One row of `companycontactrelationship` joined to its contact. */
export const contactRow = z.looseObject({
  customer: id,
  contact: id,
  role: value,
  firstname: value,
  lastname: value,
  email: value,
  phone: value,
  title: value,
  company: id.nullish(),
  isinactive: flag,
})
export type ContactRow = z.infer<typeof contactRow>

/** `SELECT … AS id`, for the lists of changed customers. */
export const idRow = z.looseObject({ id })

export const clockRow = z.looseObject({
  now: z.string().regex(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'is not a date and time'),
})

/** NetSuite's REST error body. */
export const netsuiteError = z.looseObject({
  title: z.string().optional(),
  status: z.number().optional(),
  'o:errorDetails': z
    .array(z.looseObject({ detail: z.string().optional(), 'o:errorCode': z.string().optional() }))
    .optional(),
})

/** Account time, as SuiteQL writes it: `YYYY-MM-DD HH24:MI:SS` in the account's time zone. */
const accountTime = z.string().regex(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
/** Content hash of each customer already brought, by id. */
const seen = z.record(z.string(), z.string())

/**
 * Where the next incremental run starts: what changed at or after `since`, except customers
 * whose content is the one already brought (`seen`).
 */
export const changesCursor = z.strictObject({ v: z.literal(1), since: accountTime, seen })
export type ChangesCursor = z.infer<typeof changesCursor>

/** Part-way through an incremental run: the changed customers up to `after` are applied. */
export const runningCursor = z.strictObject({
  v: z.literal(1),
  since: accountTime,
  seen,
  run: z.strictObject({ startedAt: accountTime, after: id, seen }),
})
export type RunningCursor = z.infer<typeof runningCursor>

/** Part-way through a full run: live customers after id `after` are still to come. */
export const fullCursor = z.strictObject({
  v: z.literal(1),
  full: z.strictObject({ after: id, startedAt: accountTime }),
})
