import type { Command } from 'commander'
import type { ImportUndo } from '../contracts/imports.ts'
import { importRecordOf } from '../modules/imports/imports.queries.ts'
import { undoImport } from '../modules/imports/undo.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { cliActor } from '../platform/auth/scope.ts'
import { AppError } from '../platform/errors.ts'
import { idParams } from '../contracts/common.ts'
import { print, withStore } from './context.ts'
import { parseInput } from './parse.ts'

const counts = (label: string, c: ImportUndo['customers']) =>
  `${label}: ${c.removed} removed, ${c.restored} put back`

/** `roster import undo ID`: the import's own changes reverted, as from its page or the API. */
export function registerImportUndo(importCommand: Command): void {
  importCommand
    .command('undo')
    .description('undo a whole import: remove what it created and put back what it changed')
    .argument('<id>', 'the import’s id')
    // `import` takes --org and --json itself, whichever side of `undo` they are written.
    .option('--org <org>', 'organisation slug or id (required)')
    .option('--json', 'print the import, with what the undo did, as JSON')
    .action(async (id: string, _: unknown, command: Command) => {
      const opts = command.optsWithGlobals<{ org?: string; json?: boolean }>()
      if (!opts.org) throw new AppError('validation_failed', 'Give the organisation: --org <org>.')
      const org = opts.org
      const { id: importId } = parseInput(idParams, { id })
      await withStore(async (store) => {
        const organization = await findOrganization(store.db, org)
        const row = await undoImport(
          store.db,
          { organizationId: organization.id, actor: cliActor },
          importId,
        )
        const record = await importRecordOf(store.db, row)
        const undo = record.undo
        const lines = undo
          ? [
              `Import ${record.id} undone.`,
              counts('Customers', undo.customers),
              counts('Contacts', undo.contacts),
              ...(undo.keptTotal > 0
                ? [`${undo.keptTotal} left as they are, changed since the import:`]
                : []),
              ...undo.kept.map((k) => `  ${k.entity} ${k.name} (${k.id}): ${k.reason}`),
            ]
          : []
        print(Boolean(opts.json), record, lines.join('\n'))
      })
    })
}
