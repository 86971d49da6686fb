import type { z } from 'zod'
import type { ConnectorDescriptor } from '../../../contracts/sources.ts'

/**
 * The one interface every source system implements (one folder per system under connectors/,
 * one line in the registry). A connector only talks to its system and maps what it reads to
 * Roster's records; the sync engine owns cursors, upserts, archiving, retries and run history.
 */

export type ContactRole = 'ACCOUNTING' | 'SALES' | 'PURCHASER' | 'PAYER'

/** A contact as the connector's contact rule decided it: main or additional. */
export interface SourceContact {
  /** Stable id at the source, unique within its customer (e.g. Chargebee's contact id). */
  externalId: string
  email: string
  firstName: string | null
  lastName: string | null
  phone: string | null
  role: ContactRole | null
  isMain: boolean
}

/** A customer as Roster stores it; `null` means the source has no value for the field. */
export interface SourceCustomer {
  /** Stable id at the source (Stripe `cus_…`, Chargebee customer id). */
  externalId: string
  name: string
  accountingCode: string | null
  vatNumber: string | null
  address: string | null
  postalCode: string | null
  city: string | null
  /** ISO 3166-1 alpha-2, upper case. */
  country: string | null
  /** ISO 4217, upper case. */
  currency: string | null
  /** Deleted or archived at the source: archive in Roster (with its contacts). */
  archived: boolean
  /**
   * The source erased the person's data on its side (a GDPR request: Chargebee's `pii_cleared`,
   * Xero's `GDPRREQUEST`): Roster erases the contacts it holds from this connection for this
   * customer (contacts/erasure.service.ts), from its history and imports too.
   */
  erased?: boolean
  /**
   * The parent customer at the source (a sub-customer's), which becomes the customer's group:
   * the customer of the same connection with this external id, even one listed later in the
   * run. `null` takes the customer out of its group; left out, the group stays as it is.
   */
  parentExternalId?: string | null
  /**
   * The customer's whole contact list, not a diff: contacts Roster holds from this source that
   * are missing here are archived. At most one `isMain`; contacts without an email are left out.
   */
  contacts: SourceContact[]
}

/** A record the source sent that cannot become a Roster record: skipped and reported. */
export interface SkippedRecord {
  externalId: string | null
  reason: string
}

/**
 * A contact of a CRM's account (a contact source that brings no customers): unlike a billing
 * system's, it may have no email (kept, never a recipient), a job title and an email opt-out.
 */
export interface AccountContact extends Omit<SourceContact, 'email'> {
  email: string | null
  jobTitle: string | null
  emailOptedOut: boolean
}

/**
 * An account of a CRM that feeds contacts to the customers billing connections bring: matched
 * by the engine to one customer by `matchValue` (never by name), its whole contact list then
 * replacing that customer's contacts.
 */
export interface SourceAccount {
  externalId: string
  name: string
  /** The value of the connection's matching field; null when the account has none. */
  matchValue: string | null
  /** The account owner's email: the customer's account manager when such a member exists. */
  ownerEmail: string | null
  /** Deleted at the source: its customer no longer gets contacts from it. */
  deleted: boolean
  /** The whole list (main and roles already decided by the connector's rule). */
  contacts: AccountContact[]
}

/** One page of changes. The engine applies it, then stores `cursor` in the same transaction. */
export interface SourcePage {
  customers: SourceCustomer[]
  /** From a connector that `feedsContactsOnly`: accounts whose contacts replace the customers'. */
  accounts?: SourceAccount[]
  /**
   * What the run should say besides skipped records (a contact kept without an email): listed
   * on the run, not counted as skipped.
   */
  notes?: SkippedRecord[]
  skipped: SkippedRecord[]
  /** Where the next run (or a resumed one) starts; JSON-serialisable, opaque to the engine. */
  cursor: unknown
}

export interface ListRequest<Settings, Secrets> {
  settings: Settings
  secrets: Secrets
  /** The cursor stored after the last applied page; `null` on a full run. */
  cursor: unknown
  /**
   * A full run lists every live customer (the engine archives those it did not see); an
   * incremental run lists what changed since `cursor`, deletions included.
   */
  mode: 'full' | 'incremental'
  signal?: AbortSignal
  /**
   * For connectors with `refreshSecrets`, whose tokens can expire during a long run: the secrets
   * to use for the next request, refreshed when due and stored by Roster before they are
   * answered (a rotated refresh token is then never lost). Absent outside the engine.
   */
  currentSecrets?: () => Promise<Secrets>
}

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>
  rawBody: Buffer
}

/** What a verified webhook says; `changes: false` is a probe (no run is queued). */
export interface WebhookVerdict {
  changes: boolean
  /**
   * The system's id of the event (Stripe `evt_…`), when its calls carry one: a call with an id
   * the connection already received lately is acknowledged and not acted on again (a replay, or
   * the system's own retry of a call Roster answered).
   */
  eventId?: string
}

export interface Connector<Settings = unknown, Secrets = unknown> {
  /** Its system, label, auth kind, fields, webhook header and contact rule, as people see them. */
  descriptor: ConnectorDescriptor
  /** Non-secret configuration shown back by the API (site, base URL for a proxy or a fake). */
  settings: z.ZodType<Settings>
  /** Credentials; stored encrypted, never returned or logged. */
  secrets: z.ZodType<Secrets>
  /** Checks the credentials with one cheap call; throws a SourceError when refused. */
  check(settings: Settings, secrets: Secrets, signal?: AbortSignal): Promise<void>
  /** Pages of changes in order; the engine stores each page's cursor once it is applied. */
  list(request: ListRequest<Settings, Secrets>): AsyncIterable<SourcePage>
  /**
   * Verifies a webhook the way the system signs it; throws a SourceError of kind `unverified`
   * when it does not hold (a signed time too old, or ahead of ours by more than
   * `webhookFutureSkewSeconds`, included). A verified call only triggers an incremental run. Systems that send
   * no webhooks leave it out (and declare no `webhookHeader`): every call is refused.
   */
  verifyWebhook?(
    request: WebhookRequest,
    settings: Settings,
    secrets: Secrets,
  ): WebhookVerdict | undefined | Promise<WebhookVerdict | undefined>
  /**
   * How a verified webhook is answered when Roster's 202 with its JSON will not do: `empty-200`
   * is 200 with no body (Xero disables an endpoint answering anything else).
   */
  webhookReply?: 'empty-200'
  /**
   * For systems whose credentials expire (OAuth2 access tokens): called before each run; returns
   * fresh secrets (e.g. after a token refresh), which the engine stores encrypted, or null when
   * the current ones are still good. Throws a SourceError (`auth_revoked` when the refresh token
   * is refused). Systems with API keys leave it out.
   */
  refreshSecrets?(
    settings: Settings,
    secrets: Secrets,
    signal?: AbortSignal,
  ): Promise<Secrets | null>
  /** Systems connected by consent (OAuth2 authorization code): their consent page and callback. */
  consent?: Consent<Settings, Secrets>
  /**
   * How this connection's accounts match customers (a contact-only source): the customer field
   * compared with the account's `matchValue`, and whether values are Salesforce record ids
   * (15 and 18 characters compared as one).
   */
  matching?(settings: Settings): AccountMatching
}

/** The customer field a contact-only source's `matchValue` is compared with. */
export const matchableCustomerFields = ['externalId', 'accountingCode', 'vatNumber'] as const
export type MatchableCustomerField = (typeof matchableCustomerFields)[number]

export interface AccountMatching {
  customerField: MatchableCustomerField
  recordIds: boolean
}

/** The system's consent page is opened with these (OAuth2 authorization code). */
export interface ConsentStart<Settings> {
  /** What the admin gave before consenting (a base URL, a sandbox choice); no tenant yet. */
  settings: Partial<Settings>
  clientId: string
  /** Roster's `GET /oauth/callback/{system}`, as registered with the system. */
  redirectUri: string
  state: string
  /** The PKCE S256 challenge; a system without PKCE leaves it out of the URL. */
  codeChallenge: string
}

/** The callback's query, its state already checked by Roster. */
export interface ConsentCallback<Settings> {
  settings: Partial<Settings>
  clientId: string
  clientSecret: string
  redirectUri: string
  codeVerifier: string
  /** As the system sent it: `code`, and e.g. QuickBooks's `realmId`. */
  query: Record<string, string>
  signal?: AbortSignal
}

/** A consent turned into a connection's settings and secrets (tokens included). */
export interface ConsentOutcome<Settings, Secrets> {
  settings: Settings
  secrets: Secrets
  /**
   * When the token reaches several organisations at the system (Xero tenants), the admin picks
   * one; `settings` then holds the first, and `choose` writes the pick.
   */
  tenants?: { id: string; name: string }[]
}

/** The OAuth2 authorization-code flow of a system, as the connections routes drive it. */
export interface Consent<Settings, Secrets> {
  authorizeUrl(start: ConsentStart<Settings>): string | Promise<string>
  complete(callback: ConsentCallback<Settings>): Promise<ConsentOutcome<Settings, Secrets>>
  choose?(settings: Settings, tenantId: string): Settings
}

/**
 * Provider failures, classified once by the connector (from the SDK's error or the HTTP status);
 * the engine's one policy decides: wait and retry, back off, mark the connection
 * "needs reconnection", or skip the record.
 */
export type SourceErrorKind =
  'rate_limited' | 'temporary' | 'auth_revoked' | 'not_found' | 'bad_data' | 'unverified'

/**
 * The message is the source's own reason in a few words ("Invalid API Key provided: sk_…",
 * "error 500: …"), not a sentence about the system: the engine and the connections API put it in
 * theirs, which name the system and say what to do.
 */
export class SourceError extends Error {
  readonly kind: SourceErrorKind
  /** For `rate_limited`: how long the source asked to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | null

  constructor(
    kind: SourceErrorKind,
    message: string,
    options?: { retryAfterMs?: number | null; cause?: unknown },
  ) {
    super(message, { cause: options?.cause })
    this.name = 'SourceError'
    this.kind = kind
    this.retryAfterMs = options?.retryAfterMs ?? null
  }
}
