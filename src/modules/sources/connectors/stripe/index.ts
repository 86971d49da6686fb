import { bodyEventId, headerValue, listWith, refuseFutureTime } from '../common.ts'
import { SourceError, type Connector } from '../types.ts'
import { stripeDescriptor } from './descriptor.ts'
import { call, stripeClient, stripeSdk } from './client.ts'
import { listAll, listChanges } from './list.ts'
import {
  stripeSecrets,
  stripeSettings,
  type StripeSecrets,
  type StripeSettings,
} from './schemas.ts'

/**
 * Stripe's own default: a signature older than five minutes is refused. Its check looks only
 * at the past: a time ahead of ours is refused beyond a small skew (`refuseFutureTime`).
 */
const webhookToleranceSeconds = 300

export const stripeConnector: Connector<StripeSettings, StripeSecrets> = {
  descriptor: stripeDescriptor,
  settings: stripeSettings,
  secrets: stripeSecrets,

  async check(settings, secrets, signal) {
    // Listing one customer proves the key works and may read customers.
    const stripe = await stripeClient(settings, secrets, signal)
    await call(signal, () => stripe.customers.list({ limit: 1 }))
  },

  list({ settings, secrets, cursor, mode, signal }) {
    return listWith(
      () => stripeClient(settings, secrets, signal),
      (stripe) =>
        mode === 'full' ? listAll(stripe, cursor, signal) : listChanges(stripe, cursor, signal),
    )
  },

  async verifyWebhook({ headers, rawBody }, _settings, secrets) {
    if (!secrets.webhookSecret) {
      throw new SourceError(
        'unverified',
        "No webhook signing secret is set for this Stripe connection: add the endpoint's signing secret (whsec_…) to accept Stripe webhooks.",
      )
    }
    const signature = headerValue(headers, stripeDescriptor.webhookHeader)
    if (!signature) {
      throw new SourceError('unverified', 'The call has no Stripe-Signature header.')
    }
    const verifier = (await stripeSdk()).webhooks.signature
    if (!verifier) throw new SourceError('unverified', 'Stripe signatures cannot be checked here.')
    try {
      verifier.verifyHeader(rawBody, signature, secrets.webhookSecret, webhookToleranceSeconds)
    } catch (error) {
      throw new SourceError('unverified', 'The Stripe signature does not match or is too old.', {
        cause: error,
      })
    }
    // The signed time, now proven by the signature.
    refuseFutureTime(Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1] ?? 0))
    // The event's id (evt_…): Stripe retries and replays carry the same one.
    const eventId = bodyEventId(rawBody)
    return eventId === undefined ? { changes: true } : { changes: true, eventId }
  },
}
