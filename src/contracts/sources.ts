import { z } from 'zod'
import { pageQuery } from './common.ts'
import { sourceSystems } from './customers.ts'

export const connectionStatuses = ['active', 'paused', 'needs_reconnection'] as const
export const syncModes = ['full', 'incremental'] as const
export const syncTriggers = ['schedule', 'manual', 'webhook', 'cli'] as const
export const syncRunStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const

const configObject = z.record(z.string(), z.unknown())

/** How a system lets Roster in. */
export const authKinds = [
  'api_key',
  'oauth2_authorization_code',
  'oauth2_client_credentials',
  'oauth1_token',
] as const
export type AuthKind = (typeof authKinds)[number]

/** One setting or secret an admin gives when connecting a system. */
export const connectorField = z.object({
  key: z.string(),
  label: z.string(),
  help: z.string(),
  required: z.boolean(),
  /** Typed into a field that hides what is typed (keys, passwords). */
  masked: z.boolean(),
  placeholder: z.string().optional(),
  /**
   * Obtained by the consent flow (a refresh token, a tenant), so not asked for when connecting
   * by consent; still given by hand through the API or the CLI.
   */
  fromConsent: z.boolean().optional(),
})
export type ConnectorField = z.infer<typeof connectorField>

/**
 * What a connector declares about itself, read by the API, the web's connect form, the CLI and
 * the log redaction: a new system is described here, not in each of them.
 */
export const connectorDescriptor = z.object({
  system: z.enum(sourceSystems),
  label: z.string(),
  auth: z.enum(authKinds),
  /** Non-secret configuration, shown back (site, base URL). */
  settings: z.array(connectorField),
  /** Credentials, stored encrypted and never shown back. */
  secrets: z.array(connectorField),
  /**
   * The request header that proves a webhook comes from the system (hidden in logs); null for a
   * system that sends no webhooks (its changes are read on schedule and with Sync now).
   */
  webhookHeader: z.string().nullable(),
  /** Which of the system's people become contacts, in one sentence. */
  contactRule: z.string(),
  /**
   * `contacts`: the system brings no customers, only the contacts of customers billing
   * connections bring (a CRM, matched account by account); it is connected to be the contact
   * source. Left out: a billing system, bringing customers and their contacts.
   */
  feeds: z.enum(['customers', 'contacts']).optional(),
})
export type ConnectorDescriptor = z.infer<typeof connectorDescriptor>

/** Settings and secrets are then checked against the chosen system's own schemas. */
export const connectionCreate = z.strictObject({
  system: z.enum(sourceSystems, { error: `System must be one of ${sourceSystems.join(', ')}.` }),
  name: z.string().trim().min(1).max(200).optional(),
  settings: configObject.optional(),
  secrets: configObject,
})
export type ConnectionCreate = z.infer<typeof connectionCreate>

/** `paused` pauses or resumes; new `secrets` (and settings) reconnect. */
export const connectionPatch = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  paused: z.boolean().optional(),
  settings: configObject.optional(),
  secrets: configObject.optional(),
})
export type ConnectionPatch = z.infer<typeof connectionPatch>

export const syncCounts = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  archived: z.number().int(),
  skipped: z.number().int(),
})

export const syncRun = z.object({
  id: z.uuid(),
  connectionId: z.uuid(),
  mode: z.enum(syncModes),
  trigger: z.enum(syncTriggers),
  status: z.enum(syncRunStatuses),
  queuedAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  counts: syncCounts,
  /** The records skipped, and why. */
  errors: z.array(z.object({ externalId: z.string().nullable(), reason: z.string() })),
  /** Why the run failed or was cancelled. */
  error: z.string().nullable(),
})
export type SyncRun = z.infer<typeof syncRun>

export const connection = z.object({
  id: z.uuid(),
  system: z.enum(sourceSystems),
  name: z.string(),
  status: z.enum(connectionStatuses),
  statusMessage: z.string().nullable(),
  settings: configObject,
  /** Where the system sends its webhooks. */
  webhookUrl: z.string(),
  /**
   * The webhook URL points at this machine (localhost): ROSTER_PUBLIC_URL is unset, or local.
   * The system cannot reach it; the web app says so.
   */
  webhookUrlLocal: z.boolean(),
  isContactSource: z.boolean(),
  lastRun: syncRun.nullable(),
  lastFullSyncAt: z.iso.datetime().nullable(),
  nextSyncAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
})
export type Connection = z.infer<typeof connection>

export const syncRequest = z.strictObject({ full: z.boolean().default(false) })

export const runListQuery = z.strictObject({ ...pageQuery })

export const contactSource = z.object({
  /** `roster`, or the system of the connection contacts are synced from. */
  source: z.union([z.literal('roster'), z.enum(sourceSystems)]),
  connection: z
    .object({ id: z.uuid(), system: z.enum(sourceSystems), name: z.string() })
    .nullable(),
  /** When and by whom contacts were disconnected (Roster is then the contact source for good). */
  contactsDisconnected: z.object({ at: z.iso.datetime(), by: z.string().nullable() }).nullable(),
})
export type ContactSource = z.infer<typeof contactSource>

export const contactSourcePut = z.union([
  z.strictObject({ connectionId: z.uuid({ error: 'Not a valid connection id.' }) }),
  z.strictObject({ source: z.literal('roster') }),
])

export const disconnectConfirm = z.strictObject({
  confirm: z.literal('DISCONNECT', {
    error: 'Type DISCONNECT in "confirm": disconnecting contacts cannot be undone.',
  }),
})

export const webhookParams = z.strictObject({ system: z.string(), connectionId: z.string() })
export const webhookAnswer = z.object({
  status: z.enum(['queued', 'ignored']),
  reason: z.string().nullable(),
  runId: z.uuid().nullable(),
})

/**
 * Connecting by consent (OAuth2 authorization code): what the admin gives before the system's
 * consent page (its client id and secret, a base URL), or, with `connectionId`, consent again
 * for a connection that needs reconnecting (what is left out is taken from it).
 */
export const consentStart = z.strictObject({
  system: z.enum(sourceSystems, { error: `System must be one of ${sourceSystems.join(', ')}.` }),
  name: z.string().trim().min(1).max(200).optional(),
  settings: configObject.optional(),
  secrets: configObject.optional(),
  connectionId: z.uuid({ error: 'Not a valid connection id.' }).optional(),
})
export type ConsentStart = z.infer<typeof consentStart>

export const consentRedirect = z.object({
  /** The system's consent page, to open in the browser. */
  authorizeUrl: z.string(),
})

/** A consent that reaches several organisations at the system: the admin picks one. */
export const consentChoice = z.object({
  id: z.uuid(),
  system: z.enum(sourceSystems),
  tenants: z.array(z.object({ id: z.string(), name: z.string() })),
})
export type ConsentChoice = z.infer<typeof consentChoice>

export const tenantPick = z.strictObject({
  tenantId: z.string().min(1, 'Choose one of the organisations.'),
})

export const consentCallbackQuery = z.record(z.string(), z.string())

const matchedCustomer = z.object({
  id: z.uuid(),
  name: z.string(),
  externalId: z.string().nullable(),
})
const linkedAccount = z.object({
  id: z.string(),
  name: z.string(),
  matchValue: z.string().nullable(),
})

/**
 * How a contact-only source's accounts (a CRM's) match the organisation's customers: matched
 * (by identifier, or a name match an admin confirmed), ambiguous (an identifier several
 * accounts share, or several customers carry: not imported), and unmatched customers with the
 * accounts whose name is the same, offered for an admin to confirm.
 */
export const accountMatches = z.object({
  matched: z.array(
    z.object({
      customer: matchedCustomer,
      account: linkedAccount,
      by: z.enum(['identifier', 'confirmed']),
    }),
  ),
  ambiguous: z.array(
    z.object({
      matchValue: z.string(),
      accounts: z.array(linkedAccount),
      customers: z.array(matchedCustomer),
    }),
  ),
  unmatched: z.array(z.object({ customer: matchedCustomer, suggestions: z.array(linkedAccount) })),
})
export type AccountMatches = z.infer<typeof accountMatches>

/** An admin confirms that this account is this customer (a name match). */
export const matchConfirm = z.strictObject({
  customerId: z.uuid({ error: 'Not a valid customer id.' }),
  accountId: z.string().trim().min(1, 'Choose an account.').max(200),
})
