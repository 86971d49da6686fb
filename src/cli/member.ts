import type { Command } from 'commander'
import { memberCreate } from '../contracts/organizations.ts'
import { addMember } from '../modules/organizations/members.service.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { parseInput } from './parse.ts'
import { print, withStore } from './context.ts'

export function registerMember(program: Command): void {
  program
    .command('member')
    .description('members of an organisation')
    .command('add')
    .description('add a member')
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--email <email>', 'their email')
    .option('--name <name>', 'their name')
    .option('--role <role>', 'admin, account_manager or member', 'member')
    .option('--password <password>', 'lets them sign in to the web app (8 characters or more)')
    .option('--json', 'print the member as JSON')
    .action(
      async (opts: {
        org: string
        email: string
        name?: string
        role: string
        password?: string
        json?: boolean
      }) => {
        const input = parseInput(memberCreate, {
          email: opts.email,
          name: opts.name,
          role: opts.role,
          password: opts.password,
        })
        const created = await withStore(async (store) => {
          const org = await findOrganization(store.db, opts.org)
          return addMember(store.db, org.id, input)
        })
        print(
          Boolean(opts.json),
          created,
          `Added ${created.email} as ${created.role} (id ${created.id})`,
        )
      },
    )
}
