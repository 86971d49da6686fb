import type { Command } from 'commander'
import type { ConnectorDescriptor } from '../contracts/sources.ts'
import { connectionCreate } from '../contracts/sources.ts'
import { cliActor } from '../platform/auth/scope.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { insertConnection, prepareConnection } from '../modules/sources/connections.service.ts'
import {
  connectorFor,
  descriptorsOf,
  type Connectors,
} from '../modules/sources/connectors/index.ts'
import { sourceSystemOf } from '../modules/sources/systems.ts'
import { openVault } from '../platform/auth/encryption.ts'
import { loadConfig } from '../platform/config.ts'
import { AppError } from '../platform/errors.ts'
import { startQueue } from '../app/jobs.ts'
import { print, withStore, type CliDeps } from './context.ts'
import { parseInput } from './parse.ts'

interface AddOptions {
  org: string
  system: string
  setting: string[]
  secret: string[]
  apiKey?: string
  site?: string
  baseUrl?: string
  name?: string
  json?: boolean
}

type Group = 'settings' | 'secrets'

// The shortcuts, and the option that fills any other key.
const shortcutOf: Record<string, string> = {
  'settings.site': '--site',
  'settings.baseUrl': '--base-url',
  'secrets.apiKey': '--api-key',
}
const optionOf = (group: Group, key: string): string =>
  shortcutOf[`${group}.${key}`] ?? `--${group === 'settings' ? 'setting' : 'secret'} ${key}`

function inOptionTerms(error: unknown): never {
  if (!(error instanceof AppError)) throw error
  const rename = (text: string): string =>
    text.replace(/\b(settings|secrets)\.([A-Za-z]+)\b/g, (_path, group: Group, key: string) =>
      optionOf(group, key),
    )
  throw new AppError(
    error.code,
    rename(error.message),
    error.details.map((d) => ({ message: d.message, path: d.path && rename(d.path) })),
  )
}

const collect = (value: string, previous: string[]): string[] => [...previous, value]

/** The system's descriptor; an unknown system is refused with the list of those Roster knows. */
function descriptorOf(connectors: Connectors, system: string): ConnectorDescriptor {
  const known = descriptorsOf(connectors).map((descriptor) => descriptor.system)
  const sourceSystem = sourceSystemOf(system)
  if (!sourceSystem || !known.includes(sourceSystem)) {
    throw new AppError(
      'validation_failed',
      `Roster has no connector for "${system}"; --system is one of ${known.join(', ')} (roster connection systems describes them).`,
    )
  }
  return connectorFor(connectors, sourceSystem).descriptor
}

/** `KEY=VALUE` pairs checked against the keys the system takes. */
function pairs(
  descriptor: ConnectorDescriptor,
  group: Group,
  given: string[],
): Record<string, string> {
  const keys = descriptor[group].map((field) => field.key)
  const option = group === 'settings' ? '--setting' : '--secret'
  const values: Record<string, string> = {}
  for (const pair of given) {
    const equals = pair.indexOf('=')
    if (equals <= 0) {
      throw new AppError('validation_failed', `${option} takes KEY=VALUE, not "${pair}".`)
    }
    const key = pair.slice(0, equals)
    if (!keys.includes(key)) {
      throw new AppError(
        'validation_failed',
        `${descriptor.label} takes no ${group === 'settings' ? 'setting' : 'secret'} "${key}"; its ${group} are ${keys.join(', ') || 'none'}.`,
      )
    }
    values[key] = pair.slice(equals + 1)
  }
  return values
}

/** The shortcuts fill their key, which must then be one the system takes. */
function withShortcuts(
  descriptor: ConnectorDescriptor,
  group: Group,
  values: Record<string, string>,
  shortcuts: Record<string, string | undefined>,
): Record<string, string> {
  const filled = { ...values }
  for (const [key, value] of Object.entries(shortcuts)) {
    if (value === undefined) continue
    if (!descriptor[group].some((field) => field.key === key)) {
      throw new AppError(
        'validation_failed',
        `${descriptor.label} takes no ${optionOf(group, key)}; its ${group} are ${descriptor[group].map((field) => field.key).join(', ') || 'none'}.`,
      )
    }
    filled[key] = value
  }
  return filled
}

function describe(descriptor: ConnectorDescriptor): string {
  const field = (group: Group) => (f: ConnectorDescriptor[Group][number]) =>
    `    ${optionOf(group, f.key)}${f.required ? ' (required)' : ''}: ${f.label}. ${f.help}`
  return [
    `${descriptor.system}: ${descriptor.label} (${descriptor.auth.replaceAll('_', ' ')})`,
    `  Contacts: ${descriptor.contactRule}`,
    ...(descriptor.settings.length ? ['  Settings:'] : []),
    ...descriptor.settings.map(field('settings')),
    '  Secrets:',
    ...descriptor.secrets.map(field('secrets')),
  ].join('\n')
}

export function registerConnection(program: Command, { connectors }: CliDeps): void {
  const connection = program.command('connection').description('connections to billing systems')
  connection
    .command('systems')
    .description('the systems Roster connects to, with the settings and secrets each one takes')
    .option('--json', 'print the descriptors as JSON')
    .action((opts: { json?: boolean }) => {
      const descriptors = descriptorsOf(connectors)
      print(Boolean(opts.json), descriptors, descriptors.map(describe).join('\n\n'))
    })
  connection
    .command('add')
    .description('connect a system; the credentials are checked, then stored encrypted')
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--system <system>', 'the system (roster connection systems lists them)')
    .option('--setting <key=value>', 'one of the system’s settings (repeatable)', collect, [])
    .option('--secret <key=value>', 'one of the system’s secrets (repeatable)', collect, [])
    .option('--api-key <key>', "the system's API key (--secret apiKey=…)")
    .option('--site <site>', 'the site, for systems that have one (--setting site=…)')
    .option('--base-url <url>', "the system's API address, for a proxy or a test server")
    .option('--name <name>', 'how Roster names the connection (default: the system)')
    .option('--json', 'print {"id","system","name","status"}')
    .action(async (opts: AddOptions) => {
      const descriptor = descriptorOf(connectors, opts.system)
      const settings = withShortcuts(
        descriptor,
        'settings',
        pairs(descriptor, 'settings', opts.setting),
        { site: opts.site, baseUrl: opts.baseUrl },
      )
      const secrets = withShortcuts(
        descriptor,
        'secrets',
        pairs(descriptor, 'secrets', opts.secret),
        { apiKey: opts.apiKey },
      )
      const input = parseInput(connectionCreate, {
        system: opts.system,
        name: opts.name,
        settings,
        secrets,
      })
      const config = loadConfig()
      const created = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        const scope = { organizationId: org.id, actor: cliActor }
        const prepared = await prepareConnection(
          { vault: openVault(config), connectors },
          org.id,
          input,
          // The CLI runs on the server: whoever runs it may point a connection anywhere but at
          // a link-local or metadata address.
          { allowBaseUrl: true },
        ).catch(inOptionTerms)
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
