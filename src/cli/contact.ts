import type { Command } from 'commander'
import { idParams } from '../contracts/common.ts'
import { eraseContact, personalDataOf } from '../modules/contacts/erasure.service.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { cliActor } from '../platform/auth/scope.ts'
import { print, withStore } from './context.ts'
import { parseInput } from './parse.ts'

/** A contact's personal data (GDPR): erase it, or print it as JSON. */
export function registerContact(program: Command): void {
  const contact = program.command('contact').description("a contact's personal data (GDPR)")
  contact
    .command('erase')
    .description("erase a contact's personal data from Roster: contact, history, imports")
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--id <id>', "the contact's id")
    .option('--json', 'print what was erased as JSON')
    .action(async (opts: { org: string; id: string; json?: boolean }) => {
      const { id } = parseInput(idParams, { id: opts.id })
      const erased = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        return store.db.transaction((tx) =>
          eraseContact(tx, { organizationId: org.id, actor: cliActor }, id),
        )
      })
      const files = erased.imports.filter((i) => i.fileDeleted).length
      print(
        Boolean(opts.json),
        erased,
        [
          `Erased the personal data of contact ${erased.id} (${erased.fields.join(', ') || 'no field held a value'}); ${erased.historyEntries} history entries cleaned, ${files} imported files deleted.`,
          ...erased.warnings.map((w) => w.message),
        ].join('\n'),
      )
    })
  contact
    .command('personal-data')
    .description('print everything Roster holds about a contact, as JSON')
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--id <id>', "the contact's id")
    .action(async (opts: { org: string; id: string }) => {
      const { id } = parseInput(idParams, { id: opts.id })
      const data = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        return personalDataOf(store.db, org.id, id)
      })
      print(true, data, '')
    })
}
