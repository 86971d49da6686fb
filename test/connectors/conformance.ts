import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FullSyncRequiredError } from '../../src/modules/sources/connectors/common.ts'
import type { Connector, SourcePage } from '../../src/modules/sources/connectors/types.ts'
import type { Failure, RecordedRequest } from '../fakes/fake-http.ts'
import { allPages, sourceError, webhookReceiver } from './support.ts'

/** What every fake server offers the suite. */
export interface Fake {
  readonly url: string
  readonly apiKey: string
  readonly requests: RecordedRequest[]
  now(): number
  advance(seconds: number): void
  failNext(count: number, failure: Failure): void
  revokeKey(): void
  stop(): Promise<void>
}

export interface WebhookAnswer {
  status: number
  body: string
}

/** A call to the webhook endpoint that must be refused, and what the refusal says. */
export interface RefusedCall<F> {
  name: string
  send: (fake: F, url: string) => Promise<WebhookAnswer | Response>
  says?: string
}

/**
 * One system as the conformance suite drives it: its connector, its fake, and how to write to
 * the fake. The hooks named `expect…` add the system's own assertions (the requests it makes,
 * the shape of its cursor) to a shared scenario.
 */
export interface ConnectorSpec<F extends Fake, Settings, Secrets> {
  label: string
  connector: Connector<Settings, Secrets>
  start: (options?: { now?: number }) => Promise<F>
  settings: (fake: F) => Settings
  /** The API key alone. */
  secrets: (fake: F) => Secrets
  /** Credentials the fake refuses, and a few words of the system's refusal. */
  wrongSecrets: Secrets
  refusedKeySays: string
  /** Does a listing come in the order customers changed (else: any order)? */
  ordered: boolean
  /** Customers per page of a listing: 100 unless the system's largest page is smaller. */
  pageSize?: number
  /** `count` customers written (ids returned, in writing order), then an hour passes. */
  seed: (fake: F, count: number) => string[]
  /** A change of the customer's name (the customer stays live). */
  rename: (fake: F, id: string, name: string) => void
  /** A change of a field other than the name. */
  touch: (fake: F, id: string) => void
  remove: (fake: F, id: string) => void
  /** A new customer without an email; returns its id. */
  create: (fake: F, name: string) => string
  expectCheckCalls: (fake: F) => void
  expectPagingCalls: (fake: F, ids: string[]) => void
  /** The cursor a full run ends with: changes are followed from when the run began. */
  fullRunCursor: (fake: F) => unknown
  expectResumeCalls?: (fake: F, first: SourcePage) => void
  /** Seconds between the full run and the changes of the incremental scenario. */
  changeGap: number
  /** More changes of the system's own (called after the rename and deletion); their ids. */
  moreChanges?: (fake: F, seeded: string[]) => string[]
  expectChanges: (
    fake: F,
    got: Map<string, SourcePage['customers'][number]>,
    seeded: string[],
  ) => void
  expectCursorAfterChange?: (fake: F, cursor: unknown) => void
  /** Systems whose access tokens expire: how a refresh is seen and refused. */
  refresh?: {
    expire: (fake: F) => void
    expectRefreshed: (fake: F, secrets: Secrets | null) => void
  }
  /** Systems that send webhooks: how they are proven. Without it, no webhook scenario runs. */
  webhook?: {
    secrets: (fake: F) => Secrets
    /** Without any webhook credentials configured. */
    unconfigured: (fake: F) => Secrets
    unconfiguredSays: string
    prepare: (fake: F) => void
    send: (fake: F, url: string) => Promise<WebhookAnswer>
    refused: RefusedCall<F>[]
    /** Systems that sign with a time: a call too old, and one just within the tolerance. */
    expired?: {
      old: (fake: F, url: string) => Promise<WebhookAnswer>
      fresh: (fake: F, url: string) => Promise<WebhookAnswer>
    }
  }
}

const ids = (pages: SourcePage[]) => pages.flatMap((p) => p.customers.map((c) => c.externalId))

/** A fake per test (stopped after it) and the listings of the system's connector against it. */
export function withFake<F extends Fake, Settings, Secrets>(
  spec: ConnectorSpec<F, Settings, Secrets>,
) {
  // The credentials as connected: a key revoked at the fake stays the one Roster holds.
  const state: { fake?: F; secrets?: Secrets } = {}
  beforeEach(async () => {
    state.fake = await spec.start({ now: 1_750_000_000 })
    state.secrets = spec.secrets(state.fake)
  })
  afterEach(async () => {
    await state.fake?.stop()
  })
  const fake = (): F => {
    if (!state.fake) throw new Error('no fake')
    return state.fake
  }
  const secrets = (): Secrets => {
    if (!state.secrets) throw new Error('no fake')
    return state.secrets
  }
  const request = (cursor: unknown, mode: 'full' | 'incremental') => ({
    settings: spec.settings(fake()),
    secrets: secrets(),
    cursor,
    mode,
  })
  return {
    fake,
    secrets,
    /** Replaces the fake (after a test stopped it). */
    restart: async () => {
      state.fake = await spec.start()
    },
    full: (cursor: unknown = null) => allPages(spec.connector, request(cursor, 'full')),
    changes: (cursor: unknown) => allPages(spec.connector, request(cursor, 'incremental')),
    ids,
  }
}

/** Every customer of the pages, in order or as a set, as the system lists them. */
function sameIds(ordered: boolean, got: string[], expected: string[]) {
  if (ordered) expect(got).toEqual(expected)
  else expect(new Set(got)).toEqual(new Set(expected))
}

/** The scenarios every connector passes against its fake. */
export function connectorConformance<F extends Fake, Settings, Secrets>(
  spec: ConnectorSpec<F, Settings, Secrets>,
): void {
  const { connector } = spec
  const size = spec.pageSize ?? 100

  describe(`the ${spec.label} connector against its fake`, () => {
    const kit = withFake(spec)
    const { fake, secrets, full, changes } = kit
    const seed = (count: number) => spec.seed(fake(), count)

    it('checks the key with one call, and refuses a wrong key as revoked', async () => {
      await connector.check(spec.settings(fake()), secrets())
      spec.expectCheckCalls(fake())
      const error = await sourceError(
        connector.check(spec.settings(fake()), spec.wrongSecrets),
        'auth_revoked',
      )
      expect(error.message).toContain(spec.refusedKeySays)
    })

    it(`lists every customer across pages of ${size}, to the end`, async () => {
      const created = seed(250)
      const pages = await full()
      expect(pages.map((p) => p.customers.length)).toEqual([size, size, 250 - 2 * size])
      sameIds(spec.ordered, ids(pages), created)
      spec.expectPagingCalls(fake(), ids(pages))
    })

    it('ends a full run with a cursor that follows changes from when the run began', async () => {
      seed(3)
      expect((await full()).at(-1)?.cursor).toEqual(spec.fullRunCursor(fake()))
    })

    it('resumes a full run cut short after the last page it applied', async () => {
      const created = seed(150)
      const first = (await full())[0] as SourcePage
      fake().requests.length = 0
      const rest = await full(first.cursor)
      expect(ids(rest)).toHaveLength(150 - size)
      sameIds(spec.ordered, [...first.customers.map((c) => c.externalId), ...ids(rest)], created)
      spec.expectResumeCalls?.(fake(), first)
    })

    it('follows only what changed since the cursor: updates, deletions and new customers', async () => {
      const seeded = seed(6)
      const [renamed = '', removed = ''] = seeded
      const cursor = (await full()).at(-1)?.cursor
      fake().advance(spec.changeGap)
      spec.rename(fake(), renamed, 'Renamed')
      spec.remove(fake(), removed)
      const more = spec.moreChanges?.(fake(), seeded) ?? []
      const newcomer = spec.create(fake(), 'Newcomer')
      const pages = await changes(cursor)
      const got = new Map(pages.flatMap((p) => p.customers).map((c) => [c.externalId, c]))
      const expected = [renamed, removed, ...more, newcomer]
      if (spec.ordered) expect([...got.keys()]).toEqual(expected)
      else expect([...got.keys()].sort()).toEqual([...new Set(expected)].sort())
      expect(got.get(renamed)).toMatchObject({ name: 'Renamed', archived: false })
      expect(got.get(removed)?.archived).toBe(true)
      expect(got.get(newcomer)).toMatchObject({ name: 'Newcomer', archived: false, contacts: [] })
      spec.expectChanges(fake(), got, seeded)
    })

    it('moves the cursor forward so a second run finds nothing new', async () => {
      const [, touched = ''] = seed(3)
      const cursor = (await full()).at(-1)?.cursor
      fake().advance(600)
      spec.touch(fake(), touched)
      const first = await changes(cursor)
      expect(ids(first)).toEqual([touched])
      spec.expectCursorAfterChange?.(fake(), first.at(-1)?.cursor)
      fake().advance(60)
      const second = await changes(first.at(-1)?.cursor)
      expect(ids(second)).toEqual([])
      expect(second).toHaveLength(1)
    })

    it('loses nothing when many changes share one second across pages and a resumed run', async () => {
      const created = seed(150)
      const cursor = (await full()).at(-1)?.cursor
      fake().advance(1000)
      for (const id of created) spec.touch(fake(), id)
      const pages = await changes(cursor)
      expect(pages.map((p) => p.customers.length)).toEqual([size, 150 - size])
      sameIds(spec.ordered, ids(pages), created)
      // A run that stopped after its first page picks up exactly the other 50.
      const resumed = await changes(pages[0]?.cursor)
      sameIds(spec.ordered, ids(resumed), ids(pages.slice(1)))
      // A change written later in that same second is not lost, and nothing is read twice.
      const last = created[7] ?? ''
      spec.rename(fake(), last, 'Same second')
      const after = await changes(pages.at(-1)?.cursor)
      expect(ids(after)).toEqual([last])
      expect(after.flatMap((p) => p.customers)[0]?.name).toBe('Same second')
    })

    it('asks for a full run when there is no cursor or a full run stopped half-way', async () => {
      seed(150)
      const none = await sourceError(changes(null), 'not_found')
      expect(none).toBeInstanceOf(FullSyncRequiredError)
      const halfWay = (await full())[0]?.cursor
      expect((await sourceError(changes(halfWay), 'not_found')).message).toContain('did not finish')
    })

    it('classifies 429 as rate-limited, with Retry-After or without, and does not retry on its own', async () => {
      seed(1)
      fake().failNext(1, { status: 429, retryAfter: 7 })
      expect((await sourceError(full(), 'rate_limited')).retryAfterMs).toBe(7000)
      expect(fake().requests).toHaveLength(1)
      fake().failNext(1, { status: 429 })
      expect((await sourceError(full(), 'rate_limited')).retryAfterMs).toBeNull()
    })

    it('classifies server errors and dropped connections as temporary, a revoked key as such', async () => {
      seed(1)
      for (const failure of [{ status: 500 }, { status: 503 }, { status: 'drop' }] as const) {
        fake().requests.length = 0
        fake().failNext(1, failure)
        await sourceError(full(), 'temporary')
        expect(fake().requests).toHaveLength(1)
      }
      fake().failNext(1, { status: 403 })
      await sourceError(full(), 'auth_revoked')
      fake().revokeKey()
      await sourceError(full(), 'auth_revoked')
    })

    it('classifies a server that is not there as temporary', async () => {
      const settings = spec.settings(fake())
      await fake().stop()
      await sourceError(connector.check(settings, secrets()), 'temporary')
      await kit.restart()
    })

    if (spec.refresh) {
      const refresh = spec.refresh
      it('refreshes expired credentials before a run, and returns null when they are fresh', async () => {
        const refreshed = () => {
          if (!connector.refreshSecrets) throw new Error(`${spec.label} has no refreshSecrets`)
          return connector.refreshSecrets(spec.settings(fake()), secrets())
        }
        refresh.expectRefreshed(fake(), await refreshed())
        refresh.expire(fake())
        refresh.expectRefreshed(fake(), await refreshed())
      })
    }

    it('stops listing when the run is cancelled', async () => {
      seed(250)
      const controller = new AbortController()
      const seen: SourcePage[] = []
      const run = (async () => {
        for await (const page of connector.list({
          settings: spec.settings(fake()),
          secrets: secrets(),
          cursor: null,
          mode: 'full',
          signal: controller.signal,
        })) {
          seen.push(page)
          controller.abort(new Error('cancelled'))
        }
      })()
      await expect(run).rejects.toThrow('cancelled')
      expect(seen).toHaveLength(1)
    })
  })

  const { webhook } = spec
  if (!webhook) return
  describe(`${spec.label} webhooks`, () => {
    const { fake } = withFake(spec)
    let receiver: Awaited<ReturnType<typeof webhookReceiver>>
    let secrets: Secrets

    beforeEach(async () => {
      webhook.prepare(fake())
      secrets = webhook.secrets(fake())
      receiver = await webhookReceiver((headers, rawBody) => {
        if (!connector.verifyWebhook) throw new Error(`${spec.label} has no verifyWebhook`)
        return connector.verifyWebhook({ headers, rawBody }, spec.settings(fake()), secrets)
      })
    })
    afterEach(async () => {
      await receiver.close()
    })

    it('accepts a call proven as the endpoint is configured', async () => {
      expect((await webhook.send(fake(), receiver.url)).status).toBe(204)
    })

    for (const call of webhook.refused) {
      it(`refuses ${call.name}`, async () => {
        const answer = await call.send(fake(), receiver.url)
        expect(answer.status).toBe(401)
        const body = answer instanceof Response ? await answer.text() : answer.body
        if (call.says) expect(body).toContain(call.says)
      })
    }

    if (webhook.expired) {
      const expired = webhook.expired
      it('refuses a call signed too long ago, and accepts one within the tolerance', async () => {
        expect((await expired.old(fake(), receiver.url)).status).toBe(401)
        expect((await expired.fresh(fake(), receiver.url)).status).toBe(204)
      })
    }

    it('refuses every call when no webhook credentials are configured', async () => {
      secrets = webhook.unconfigured(fake())
      const answer = await webhook.send(fake(), receiver.url)
      expect(answer).toEqual({
        status: 401,
        body: expect.stringContaining(webhook.unconfiguredSays),
      })
    })
  })
}
