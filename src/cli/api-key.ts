import type { Command } from 'commander'
import { createApiKey } from '../modules/organizations/api-keys.service.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { print, withStore } from './context.ts'

export function registerApiKey(program: Command): void {
  program
    .command('api-key')
    .description('API keys')
    .command('create')
    .description('create an API key; it is shown only once')
    .requiredOption('--org <org>', 'organisation slug or id')
    .option('--name <name>', 'what the key is for', 'API key')
    .option('--json', 'print {"key"}')
    .action(async (opts: { org: string; name: string; json?: boolean }) => {
      const created = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        return createApiKey(store.db, org.id, { name: opts.name })
      })
      print(
        Boolean(opts.json),
        { key: created.key, id: created.id, name: created.name },
        `${created.key}\n(shown once: keep it somewhere safe)`,
      )
    })
}
