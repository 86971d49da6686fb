import type { Command } from 'commander'
import { cliActor } from '../platform/auth/scope.ts'
import { startQueue } from '../app/jobs.ts'
import { loadConfig } from '../platform/config.ts'
import { contactSourcePut } from '../contracts/sources.ts'
import {
  disconnectContacts,
  setContactSource,
} from '../modules/organizations/contact-source.service.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { AppError } from '../platform/errors.ts'
import { print, withStore } from './context.ts'
import { parseInput } from './parse.ts'

export function registerContactSource(program: Command): void {
  const contactSource = program
    .command('contact-source')
    .description("the organisation's contact source")
  contactSource
    .command('set')
    .description(
      "sync contacts from a connection: its contacts replace the others' on the customers it covers",
    )
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption(
      '--connection <id>',
      'the connection id (printed by roster connection add, or GET /api/v1/connections)',
    )
    .option('--json', 'print the contact source as JSON')
    .action(async (opts: { org: string; connection: string; json?: boolean }) => {
      const input = parseInput(contactSourcePut, { connectionId: opts.connection })
      const result = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        const queue = await startQueue(store, loadConfig())
        try {
          return await store.db.transaction((tx) =>
            setContactSource(tx, queue, { organizationId: org.id, actor: cliActor }, input),
          )
        } finally {
          await queue.stop()
        }
      })
      print(
        Boolean(opts.json),
        result,
        `Contacts are now synced from ${result.connection?.name ?? result.source}; a full run of that connection is queued to bring them: run roster sync --org ${opts.org} --connection ${opts.connection}, or let the server run it.`,
      )
    })
  contactSource
    .command('disconnect')
    .description(
      'make Roster the contact source for good: contacts become editable and syncs stop changing them (cannot be undone)',
    )
    .requiredOption('--org <org>', 'organisation slug or id')
    .option('--yes', 'confirm: this cannot be undone')
    .option('--json', 'print the contact source as JSON')
    .action(async (opts: { org: string; yes?: boolean; json?: boolean }) => {
      if (!opts.yes) {
        throw new AppError(
          'validation_failed',
          'Disconnecting contacts from the invoicing system cannot be undone: add --yes to confirm.',
        )
      }
      const result = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        return store.db.transaction((tx) =>
          disconnectContacts(tx, { organizationId: org.id, actor: cliActor }),
        )
      })
      print(
        Boolean(opts.json),
        result,
        'Contacts are disconnected: Roster is the contact source for good. Syncs keep updating customers, never contacts.',
      )
    })
}
