import type { Command } from 'commander'
import { createOrganization } from '../modules/organizations/organizations.service.ts'
import { print, withStore } from './context.ts'

export function registerOrg(program: Command): void {
  const org = program.command('org').description('organisations')
  org
    .command('create')
    .description('create an organisation')
    .argument('<name>', 'its name')
    .option('--slug <slug>', 'short name used in URLs and --org (default: from the name)')
    .option('--country <country>', 'default country for phone numbers (name or ISO code)')
    .option('--json', 'print {"id","slug"}')
    .action(async (name: string, opts: { slug?: string; country?: string; json?: boolean }) => {
      const created = await withStore((store) =>
        createOrganization(store.db, { name, slug: opts.slug, country: opts.country }),
      )
      print(
        Boolean(opts.json),
        { id: created.id, slug: created.slug },
        `Created ${created.name} (slug ${created.slug}, id ${created.id})`,
      )
    })
}
