import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import type { Command } from 'commander'
import { customerExportQuery } from '../contracts/export.ts'
import { customersCsv, exportCustomers, writeCustomersXlsx } from '../modules/customers/export.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { AppError } from '../platform/errors.ts'
import { withStore } from './context.ts'
import { parseInput } from './parse.ts'

async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain')
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'every live customer with its contacts, as JSON, CSV or .xlsx (one line per contact)',
    )
    .requiredOption('--org <org>', 'organisation slug or id')
    .option('--format <format>', 'json, csv or xlsx', 'json')
    .option('--separator <separator>', 'for a CSV: comma, semicolon or tab', 'comma')
    .option('--encoding <encoding>', 'for a CSV: utf-8-bom, utf-8 or windows-1252', 'utf-8-bom')
    .option('--out <file>', 'write to this file instead of the standard output')
    .action(
      async (opts: {
        org: string
        format: string
        separator: string
        encoding: string
        out?: string
      }) => {
        if (!['json', 'csv', 'xlsx'].includes(opts.format)) {
          throw new AppError(
            'validation_failed',
            `--format must be json, csv or xlsx, not "${opts.format}".`,
          )
        }
        const { separator, encoding, ...filters } = parseInput(customerExportQuery, {
          separator: opts.separator,
          encoding: opts.encoding,
        })
        await withStore(async (store) => {
          const org = await findOrganization(store.db, opts.org)
          const out = opts.out ? createWriteStream(opts.out) : process.stdout
          if (opts.format === 'csv') {
            const chunks = customersCsv(store.db, org.id, filters, { separator, encoding })
            for await (const chunk of chunks) await write(out, chunk)
          } else if (opts.format === 'xlsx') {
            await writeCustomersXlsx(store.db, org.id, filters, out)
          } else {
            let first = true
            await write(out, '[')
            for await (const customer of exportCustomers(store.db, org.id)) {
              await write(out, (first ? '\n' : ',\n') + JSON.stringify(customer))
              first = false
            }
            await write(out, first ? ']\n' : '\n]\n')
          }
          // The .xlsx writer ends a file it writes to itself.
          if (out !== process.stdout && !out.writableFinished) {
            if (!out.writableEnded) out.end()
            await once(out, 'finish')
          }
        })
      },
    )
}
