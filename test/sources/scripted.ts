import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { setImmediate } from 'node:timers/promises'
import { z } from 'zod'
import type { Connectors } from '../../src/modules/sources/connectors/index.ts'
import {
  SourceError,
  type Connector,
  type SkippedRecord,
  type SourceContact,
  type SourceCustomer,
  type SourceErrorKind,
  type SourcePage,
} from '../../src/modules/sources/connectors/types.ts'
import { systemNames, type SourceSystem } from '../../src/modules/sources/systems.ts'

/**
 * A scripted stand-in for an external billing system, behind the real connector interface: it
 * holds customers that tests change, lists them in pages with cursors (full and incremental,
 * deletions included), throws SourceErrors on cue, checks API keys and signs webhooks. Each
 * source is reached through its connection's `site` setting, so one registered connector serves
 * every source of a test file.
 */
export interface Script {
  site?: string
  pageSize?: number
  validKeys?: string[]
  customers?: SourceCustomer[]
  /** Errors thrown by the next page requests, one each, in order. */
  failures?: Failure[]
}

export interface Failure {
  kind: SourceErrorKind
  message?: string
  retryAfterMs?: number | null
}

interface Held {
  customer: SourceCustomer
  seq: number
  deleted: boolean
}

const settings = z.strictObject({ site: z.string().min(1), baseUrl: z.url().optional() })
const secrets = z.strictObject({
  apiKey: z.string().min(1, 'Enter the API key.'),
  webhookSecret: z.string().optional(),
  accessToken: z.string().optional(),
})
type Settings = z.infer<typeof settings>
type Secrets = z.infer<typeof secrets>

/** Full listings resume after `after`; every cursor carries the change number to list from. */
const cursorSchema = z.object({ since: z.number(), after: z.string().optional() })

const sources = new Map<string, ScriptedSource>()

export class ScriptedSource {
  readonly site: string
  pageSize: number
  validKeys: Set<string>
  private readonly held = new Map<string, Held>()
  private seq = 0
  private failures: Failure[]
  /** Skipped records handed over with the next page. */
  skipNext: SkippedRecord[] = []
  /** Incremental cursors older than this change number are refused (like expired events). */
  forgetBefore = 0
  /** Every page request: its mode and cursor. */
  readonly requests: { mode: 'full' | 'incremental'; cursor: unknown }[] = []
  /** With OAuth-style tokens: the token refresh hands out `token-<n>`. */
  refreshes = 0
  oauth = false

  constructor(script: Script = {}) {
    this.site = script.site ?? `s-${randomUUID()}`
    this.pageSize = script.pageSize ?? 2
    this.validKeys = new Set(script.validKeys ?? ['good-key'])
    this.failures = [...(script.failures ?? [])]
    for (const customer of script.customers ?? []) this.put(customer)
    sources.set(this.site, this)
  }

  /** Creates or changes a customer, as an edit at the source. */
  put(customer: SourceCustomer): void {
    this.held.set(customer.externalId, { customer, seq: ++this.seq, deleted: false })
  }

  /** Deletes a customer at the source. */
  remove(externalId: string): void {
    const held = this.held.get(externalId)
    if (held) this.held.set(externalId, { ...held, seq: ++this.seq, deleted: true })
  }

  /** Drops a customer without any trace (no deletion to list): only a full run notices. */
  forget(externalId: string): void {
    this.held.delete(externalId)
  }

  get(externalId: string): SourceCustomer | undefined {
    const held = this.held.get(externalId)
    return held && !held.deleted ? held.customer : undefined
  }

  failNext(...failures: Failure[]): void {
    this.failures.push(...failures)
  }

  revoke(): void {
    this.validKeys.clear()
  }

  /** The signature header a webhook of this source carries. */
  sign(body: string, secret: string): string {
    return createHmac('sha256', secret).update(body).digest('hex')
  }

  /** One call to the system: the next scripted failure, else the API key is checked. */
  call(apiKey: string): void {
    const failure = this.failures.shift()
    if (failure) {
      throw new SourceError(failure.kind, failure.message ?? `scripted ${failure.kind}`, {
        retryAfterMs: failure.retryAfterMs ?? null,
      })
    }
    if (!this.validKeys.has(apiKey)) {
      throw new SourceError('auth_revoked', 'Invalid API key provided')
    }
  }

  /** A page request: answered on a later tick, as over the network. */
  private async request(mode: 'full' | 'incremental', cursor: unknown, apiKey: string) {
    this.requests.push({ mode, cursor })
    await setImmediate()
    this.call(apiKey)
  }

  async *list(mode: 'full' | 'incremental', rawCursor: unknown, apiKey: string) {
    const parsed = cursorSchema.safeParse(rawCursor)
    const cursor = parsed.success ? parsed.data : undefined
    if (mode === 'incremental') {
      const since = cursor?.since ?? 0
      if (since < this.forgetBefore) {
        await this.request(mode, rawCursor, apiKey)
        throw new SourceError('not_found', 'changes this old are no longer kept')
      }
      const changes = [...this.held.values()]
        .filter((h) => h.seq > since)
        .sort((a, b) => a.seq - b.seq)
      for (let i = 0; i < changes.length; i += this.pageSize) {
        await this.request(mode, rawCursor, apiKey)
        const slice = changes.slice(i, i + this.pageSize)
        yield this.page(
          slice.map((h) => (h.deleted ? { ...h.customer, archived: true } : h.customer)),
          { since: slice.at(-1)?.seq ?? since },
        )
      }
      return
    }
    // A full listing started now lists live customers by id; the next incremental run starts
    // from the changes made since it began.
    const since = cursor?.since ?? this.seq
    const live = [...this.held.values()]
      .filter((h) => !h.deleted && (!cursor?.after || h.customer.externalId > cursor.after))
      .map((h) => h.customer)
      .sort((a, b) => a.externalId.localeCompare(b.externalId))
    for (let i = 0; i < live.length; i += this.pageSize) {
      await this.request(mode, rawCursor, apiKey)
      const slice = live.slice(i, i + this.pageSize)
      const last = i + this.pageSize >= live.length
      yield this.page(slice, last ? { since } : { since, after: slice.at(-1)?.externalId })
    }
  }

  private page(customers: SourceCustomer[], cursor: unknown): SourcePage {
    const skipped = this.skipNext
    this.skipNext = []
    return { customers, skipped, cursor }
  }
}

function sourceOf(value: Settings): ScriptedSource {
  const source = sources.get(value.site)
  if (!source) throw new SourceError('not_found', `no scripted source "${value.site}"`)
  return source
}

/** The connector that reaches the scripted sources, as the registry holds connectors. */
export const scriptedConnector = (system: SourceSystem): Connector<Settings, Secrets> => ({
  descriptor: {
    system,
    label: systemNames[system],
    auth: 'api_key',
    settings: [
      { key: 'site', label: 'Site', help: 'The scripted source.', required: true, masked: false },
    ],
    secrets: [
      {
        key: 'apiKey',
        label: 'API key',
        help: 'A key the source accepts.',
        required: true,
        masked: true,
      },
      {
        key: 'webhookSecret',
        label: 'Webhook secret',
        help: 'Signs webhooks.',
        required: false,
        masked: true,
      },
    ],
    webhookHeader: 'x-scripted-signature',
    contactRule: 'The scripted contacts, as the test wrote them.',
  },
  settings,
  secrets,
  async check(config, credentials) {
    await setImmediate()
    sourceOf(config).call(credentials.apiKey)
  },
  list({ settings: config, secrets: credentials, cursor, mode }) {
    return sourceOf(config).list(mode, cursor, credentials.apiKey)
  },
  verifyWebhook({ headers, rawBody }, config, credentials) {
    const source = sourceOf(config)
    const given = headers['x-scripted-signature']
    if (!credentials.webhookSecret || typeof given !== 'string') {
      throw new SourceError('unverified', 'no signature or no secret')
    }
    const expected = Buffer.from(source.sign(rawBody.toString('utf8'), credentials.webhookSecret))
    const actual = Buffer.from(given)
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new SourceError('unverified', 'signature mismatch')
    }
  },
  async refreshSecrets(config, credentials) {
    await setImmediate()
    const source = sourceOf(config)
    if (!source.oauth) return null
    source.refreshes++
    return { ...credentials, accessToken: `token-${source.refreshes}` }
  },
})

/** A registry where the scripted connector answers for these systems, to give the app, engine or CLI. */
export function scriptedConnectors(...systems: SourceSystem[]): Connectors {
  return Object.fromEntries(systems.map((system) => [system, scriptedConnector(system)]))
}

export function contact(
  externalId: string,
  email: string,
  fields: Partial<SourceContact> = {},
): SourceContact {
  return {
    externalId,
    email,
    firstName: null,
    lastName: null,
    phone: null,
    role: null,
    isMain: false,
    ...fields,
  }
}

export function customer(externalId: string, fields: Partial<SourceCustomer> = {}): SourceCustomer {
  return {
    externalId,
    name: `Customer ${externalId}`,
    accountingCode: null,
    vatNumber: null,
    address: null,
    postalCode: null,
    city: null,
    country: null,
    currency: null,
    archived: false,
    contacts: [],
    ...fields,
  }
}
