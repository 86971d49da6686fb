import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import type { Command } from 'commander'
import { csvHeader, customerCsvRows, exportCustomers } from '../modules/customers/export.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { AppError } from '../platform/errors.ts'
import { withStore } from './context.ts'

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain')
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('every customer with its contacts, as JSON or CSV (one line per contact)')
    .requiredOption('--org <org>', 'organisation slug or id')
    .option('--format <format>', 'json or csv', 'json')
    .option('--out <file>', 'write to this file instead of the standard output')
    .action(async (opts: { org: string; format: string; out?: string }) => {
      if (opts.format !== 'json' && opts.format !== 'csv') {
        throw new AppError(
          'validation_failed',
          `--format must be json or csv, not "${opts.format}".`,
        )
      }
      await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        const out = opts.out ? createWriteStream(opts.out) : process.stdout
        if (opts.format === 'csv') {
          await write(out, '\uFEFF' + csvHeader())
          for await (const customer of exportCustomers(store.db, org.id)) {
            await write(out, customerCsvRows(customer))
          }
        } else {
          let first = true
          await write(out, '[')
          for await (const customer of exportCustomers(store.db, org.id)) {
            await write(out, (first ? '\n' : ',\n') + JSON.stringify(customer))
            first = false
          }
          await write(out, first ? ']\n' : '\n]\n')
        }
        if (out !== process.stdout) {
          out.end()
          await once(out, 'finish')
        }
      })
    })
}
