import type { Command } from 'commander'
import { connectionCreate } from '../contracts/sources.ts'
import { cliActor } from '../platform/auth/scope.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { insertConnection, prepareConnection } from '../modules/sources/connections.service.ts'
import { openVault } from '../platform/auth/encryption.ts'
import { loadConfig } from '../platform/config.ts'
import { AppError } from '../platform/errors.ts'
import { startQueue } from '../app/jobs.ts'
import { print, withStore } from './context.ts'
import { parseInput } from './parse.ts'

interface AddOptions {
  org: string
  system: string
  apiKey: string
  site?: string
  baseUrl?: string
  name?: string
  json?: boolean
}

// The connector's settings and secrets named as the options that fill them.
const optionOf: Record<string, string> = {
  'settings.site': '--site',
  'settings.baseUrl': '--base-url',
  'secrets.apiKey': '--api-key',
}

function inOptionTerms(error: unknown): never {
  if (!(error instanceof AppError)) throw error
  const rename = (text: string): string =>
    text.replace(/\b(?:settings|secrets)\.[A-Za-z]+\b/g, (path) => optionOf[path] ?? path)
  throw new AppError(
    error.code,
    rename(error.message),
    error.details.map((d) => ({ message: d.message, path: d.path && rename(d.path) })),
  )
}

export function registerConnection(program: Command): void {
  program
    .command('connection')
    .description('connections to billing systems')
    .command('add')
    .description('connect a system; the credentials are checked, then stored encrypted')
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--system <system>', 'stripe or chargebee')
    .requiredOption('--api-key <key>', "the system's API key")
    .option('--site <site>', 'Chargebee site (the "acme" of acme.chargebee.com)')
    .option('--base-url <url>', "the system's API address, for a proxy or a test server")
    .option('--name <name>', 'how Roster names the connection (default: the system)')
    .option('--json', 'print {"id","system","name","status"}')
    .action(async (opts: AddOptions) => {
      const settings: Record<string, string> = {}
      if (opts.site !== undefined) settings.site = opts.site
      if (opts.baseUrl !== undefined) settings.baseUrl = opts.baseUrl
      const input = parseInput(connectionCreate, {
        system: opts.system,
        name: opts.name,
        settings,
        secrets: { apiKey: opts.apiKey },
      })
      const config = loadConfig()
      const created = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        const scope = { organizationId: org.id, actor: cliActor }
        const prepared = await prepareConnection(openVault(config), org.id, input).catch(
          inOptionTerms,
        )
        const queue = await startQueue(store, config)
        try {
          return await store.db.transaction((tx) => insertConnection(tx, queue, scope, prepared))
        } finally {
          await queue.stop()
        }
      })
      print(
        Boolean(opts.json),
        { id: created.id, system: created.system, name: created.name, status: created.status },
        `Connected ${created.name} (id ${created.id}); its first full sync is queued: run roster sync --org ${opts.org} --connection ${created.id}, or let the server run it.`,
      )
    })
}
