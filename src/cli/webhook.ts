import type { Command } from 'commander'
import {
  webhookDeliveryListQuery,
  webhookEndpointCreate,
  webhookEventTypes,
} from '../contracts/webhooks.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import {
  createEndpoint,
  listDeliveries,
  listEndpoints,
  replayDelivery,
} from '../modules/webhooks/webhooks.service.ts'
import { openVault } from '../platform/auth/encryption.ts'
import { loadConfig } from '../platform/config.ts'
import { print, withStore } from './context.ts'
import { parseInput } from './parse.ts'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

export function registerWebhook(program: Command): void {
  const webhook = program.command('webhook').description('outbound webhook endpoints')

  webhook
    .command('add')
    .description('add an endpoint; its signing secret is shown only once')
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--url <url>', 'https:// address Roster posts to')
    .requiredOption(
      '--event <event>',
      `an event (repeat): ${webhookEventTypes.join(', ')}`,
      collect,
    )
    .option('--description <text>', 'what the endpoint is')
    .option('--json', 'print the endpoint with its secret')
    .action(
      async (opts: {
        org: string
        url: string
        event: string[]
        description?: string
        json?: boolean
      }) => {
        const input = parseInput(webhookEndpointCreate, {
          url: opts.url,
          events: opts.event,
          description: opts.description,
        })
        const config = loadConfig()
        const created = await withStore(async (store) => {
          const org = await findOrganization(store.db, opts.org)
          return store.db.transaction((tx) =>
            createEndpoint(tx, openVault(config), org.id, input, {
              allowLocal: config.webhooks.allowLocal,
            }),
          )
        })
        print(
          Boolean(opts.json),
          created,
          `${created.id} ${created.url}\nsecret: ${created.secret}\n(shown once: keep it somewhere safe)`,
        )
      },
    )

  webhook
    .command('list')
    .description("the organisation's endpoints")
    .requiredOption('--org <org>', 'organisation slug or id')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; json?: boolean }) => {
      const endpoints = await withStore(async (store) =>
        listEndpoints(store.db, (await findOrganization(store.db, opts.org)).id),
      )
      print(
        Boolean(opts.json),
        endpoints,
        endpoints
          .map((e) => `${e.id} ${e.enabled ? 'on ' : 'off'} ${e.url} ${e.events.join(',')}`)
          .join('\n') || 'No endpoint.',
      )
    })

  webhook
    .command('deliveries')
    .description("an endpoint's delivery log, newest first")
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--endpoint <id>', 'the endpoint')
    .option('--status <status>', 'pending, sending, delivered or failed')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; endpoint: string; status?: string; json?: boolean }) => {
      const query = parseInput(webhookDeliveryListQuery, { status: opts.status, limit: '200' })
      const list = await withStore(async (store) =>
        listDeliveries(
          store.db,
          (await findOrganization(store.db, opts.org)).id,
          opts.endpoint,
          query,
        ),
      )
      print(
        Boolean(opts.json),
        list.data,
        list.data
          .map(
            (d) =>
              `${d.id} ${d.eventType} ${d.status} attempts=${String(d.attempts)} answer=${String(d.responseStatus ?? '-')}${d.error ? ` ${d.error}` : ''}`,
          )
          .join('\n') || 'No delivery.',
      )
    })

  webhook
    .command('replay')
    .description('send a delivery again (same webhook-id)')
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--endpoint <id>', 'the endpoint')
    .requiredOption('--delivery <id>', 'the delivery')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; endpoint: string; delivery: string; json?: boolean }) => {
      const replay = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        return store.db.transaction((tx) =>
          replayDelivery(tx, org.id, opts.endpoint, opts.delivery),
        )
      })
      print(Boolean(opts.json), replay, `${replay.id} queued`)
    })
}
