import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { connector, syncEnvironment } from '../connectors/sync-conformance.ts'
import { chargebeeSync } from '../connectors/specs/chargebee.ts'
import { stripeSync } from '../connectors/specs/stripe.ts'

const env = await syncEnvironment()
const { kit, base } = env

/** The same signed call, byte for byte, as an attacker who saw it would send it again. */
function replayable(fake: { event(): unknown; webhookSecret: string }, timestamp: number) {
  const payload = JSON.stringify(fake.event())
  const header = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: fake.webhookSecret,
    timestamp,
  })
  return (url: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      body: payload,
    }).then(async (res) => ({ status: res.status, body: await res.text() }))
}

/** The connection's runs a webhook asked for. */
const webhookRuns = async (org: Parameters<typeof kit.runs>[0], connectionId: string) =>
  (await kit.runs(org, connectionId)).filter((run) => run.trigger === 'webhook')

describe('a webhook replayed inside its time window', () => {
  it('is acknowledged each time and acted on once (Stripe, 22 replays)', async () => {
    const { fake, org, id } = await connector(stripeSync, env).connected((f) => {
      f.createCustomer({ name: 'Acme', email: 'ap@acme.example' })
    })
    const url = `${base}/webhooks/stripe/${id}`
    const send = replayable(fake, Math.floor(Date.now() / 1000))
    const first = await send(url)
    expect(first.status).toBe(202)
    expect(JSON.parse(first.body)).toMatchObject({ status: 'queued' })
    await kit.runQueued(org, id)

    const answers = []
    for (let i = 0; i < 21; i++) answers.push(await send(url))
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202]))
    for (const answer of answers) {
      expect(JSON.parse(answer.body)).toEqual({
        status: 'ignored',
        reason: 'This event was already received.',
        runId: null,
      })
    }
    expect(await webhookRuns(org, id)).toMatchObject([{ status: 'completed' }])

    // Stripe's own retry of the event, signed again later, is the same event too.
    expect(JSON.parse((await fake.sendWebhook(url)).body)).toMatchObject({ status: 'ignored' })
    // Another event is acted on.
    fake.createCustomer({ name: 'Dune', email: 'ap@dune.example' })
    expect(JSON.parse((await fake.sendWebhook(url)).body)).toMatchObject({ status: 'queued' })
  })

  it('refuses a call signed ten minutes in the future, and accepts a few seconds of drift', async () => {
    const { fake, org, id } = await connector(stripeSync, env).connected((f) => {
      f.createCustomer({ name: 'Acme', email: 'ap@acme.example' })
    })
    const url = `${base}/webhooks/stripe/${id}`
    const now = Math.floor(Date.now() / 1000)
    const before = await kit.runs(org, id)
    expect((await replayable(fake, now + 600)(url)).status).toBe(401)
    expect(await kit.runs(org, id)).toEqual(before)
    expect((await replayable(fake, now + 20)(url)).status).toBe(202)
  })

  it('is acted on once for Chargebee, whose calls carry the event id', async () => {
    const { fake, org, id } = await connector(chargebeeSync, env).connected((f) => {
      chargebeeSync.acme(f)
    })
    const url = `${base}/webhooks/chargebee/${id}`
    const answers = []
    for (let i = 0; i < 5; i++) answers.push(JSON.parse((await fake.sendWebhook(url)).body))
    expect(answers.map((a: { status: string }) => a.status)).toEqual([
      'queued',
      'ignored',
      'ignored',
      'ignored',
      'ignored',
    ])
    await kit.runQueued(org, id)
    expect(JSON.parse((await fake.sendWebhook(url)).body)).toMatchObject({ status: 'ignored' })
    expect(await webhookRuns(org, id)).toMatchObject([{ status: 'completed' }])
  })
})
