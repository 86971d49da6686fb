import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Command } from 'commander'
import { z } from 'zod'
import { foldValue } from '../contracts/fields.ts'
import {
  fieldInfo,
  importField,
  readOptions,
  valueMap,
  valueMappedFields,
  type ColumnMapping,
  type ImportRecord,
  type ValueMap,
} from '../contracts/imports.ts'
import type { ImportSummary } from '../modules/imports/apply/summary.ts'
import { runImportJob } from '../modules/imports/imports.job.ts'
import { findImport, rejectedLines, toImportRecord } from '../modules/imports/imports.queries.ts'
import {
  cancelImport,
  createImport,
  setMapping,
  startImport,
} from '../modules/imports/imports.service.ts'
import { cliActor } from '../platform/auth/scope.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import type { Store } from '../platform/db/client.ts'
import { loadConfig } from '../platform/config.ts'
import { AppError } from '../platform/errors.ts'
import type { Queue } from '../platform/queue/queue.ts'
import { startQueue } from '../app/jobs.ts'
import { fail, withStore } from './context.ts'
import { registerImportUndo } from './import-undo.ts'

interface ImportOptions {
  org: string
  mapping?: string
  delimiter?: string
  encoding?: string
  sheet?: string
  headerRow?: string
  valueMap?: string[]
  dryRun?: boolean
  json?: boolean
}

/**
 * `--value-map Role:Compta=ACCOUNTING`: the field (its label, key or the file's column mapped to
 * it), a value of the file, and what it means; nothing after `=` leaves the cell empty.
 */
function parseValueMap(
  given: string[],
  columns: string[],
  mapping: ColumnMapping,
): ValueMap | undefined {
  if (given.length === 0) return undefined
  const raw: Record<string, Record<string, string | null>> = {}
  for (const entry of given) {
    const colon = entry.indexOf(':')
    const equals = entry.lastIndexOf('=')
    if (colon < 1 || equals < colon + 2) {
      throw new AppError(
        'validation_failed',
        `--value-map ${entry}: write it as FIELD:VALUE=ROLE, like Role:Compta=ACCOUNTING.`,
      )
    }
    const target = foldValue(entry.slice(0, colon))
    const field = valueMappedFields.find(
      (f) =>
        foldValue(f) === target ||
        foldValue(fieldInfo[f].label) === target ||
        mapping.some((m, index) => m === f && foldValue(columns[index] ?? '') === target),
    )
    if (!field) {
      throw new AppError(
        'validation_failed',
        `--value-map ${entry}: "${entry.slice(0, colon)}" is not a field whose values can be mapped; use ${valueMappedFields.map((f) => fieldInfo[f].label).join(', ')}.`,
      )
    }
    const role = entry.slice(equals + 1).trim()
    ;(raw[field] ??= {})[entry.slice(colon + 1, equals)] = role === '' ? null : role
  }
  const parsed = valueMap.safeParse(raw)
  if (!parsed.success) {
    throw new AppError(
      'validation_failed',
      `--value-map: ${parsed.error.issues.map((issue) => issue.message).join(' ')}`,
    )
  }
  return parsed.data
}

const mappingFile = z.record(z.string(), importField.nullable())

/** MAPPING.json names columns by header text; the columns it leaves out are ignored. */
async function readMapping(path: string, columns: string[]): Promise<ColumnMapping> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new AppError(
      'validation_failed',
      `${path} is not a JSON file: ${(error as Error).message}`,
    )
  }
  const result = mappingFile.safeParse(parsed)
  if (!result.success) {
    throw new AppError(
      'validation_failed',
      `${path} must map each column header to a field key (or null to ignore it).`,
      result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    )
  }
  const unknown = Object.keys(result.data).filter((header) => !columns.includes(header))
  if (unknown.length > 0) {
    throw new AppError(
      'validation_failed',
      `${path} names columns the file does not have: ${unknown.join(', ')}. The file's columns are: ${columns.join(', ')}.`,
    )
  }
  return columns.map((header) => result.data[header] ?? null)
}

async function upload(path: string) {
  const info = await stat(path).catch(() => {
    throw new AppError('file_refused', `Cannot read ${path}: no such file.`)
  })
  if (!info.isFile()) throw new AppError('file_refused', `${path} is not a file.`)
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk)
  return { path, fileName: basename(path), size: info.size, sha256: hash.digest('hex') }
}

/** Runs the import here, unless a running server's worker takes it first, and waits for its end. */
async function waitForEnd(
  store: Store,
  queue: Queue,
  organizationId: string,
  id: string,
  json: boolean,
) {
  let cancelling = false
  const onInterrupt = (): void => {
    if (cancelling) return
    cancelling = true
    process.stderr.write('\nCancelling after the chunk in progress…\n')
    void cancelImport(store.db, organizationId, id).catch(() => undefined)
  }
  process.on('SIGINT', onInterrupt)
  try {
    for (;;) {
      const row = await findImport(store.db, organizationId, id)
      if (row.finishedAt) return row
      if (!json && process.stderr.isTTY) {
        const { linesRead, linesDone, linesTotal } = toImportRecord(row).progress
        const text = linesTotal
          ? `${linesDone} / ${linesTotal} lines applied`
          : `${linesRead} lines read`
        process.stderr.write(`\r${text}   `)
      }
      await sleep(250)
    }
  } finally {
    process.off('SIGINT', onInterrupt)
  }
}

const counts = (label: string, c: { created: number; updated: number; unchanged: number }) =>
  `${label}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`

export function registerImport(program: Command): void {
  const command = program.command('import')
  registerImportUndo(command)
  command
    .description('import customers and contacts from a CSV or xlsx file')
    .argument('<file>', 'the CSV or xlsx file')
    .requiredOption('--org <org>', 'organisation slug or id')
    .option('--mapping <file>', 'JSON mapping each column header to a field key, or null to ignore')
    .option('--delimiter <c>', 'separator: ";", ",", "|" or "tab" (default: detected)')
    .option(
      '--encoding <e>',
      'utf-8, utf-16le, utf-16be, windows-1252, iso-8859-1 (default: detected)',
    )
    .option('--sheet <name>', 'xlsx sheet to read (default: the first)')
    .option('--header-row <n>', 'row number of the header (default: detected)')
    .option(
      '--value-map <field:value=role>',
      'what a value of the file means, e.g. Role:Compta=ACCOUNTING (nothing after = leaves it empty); repeatable',
      (entry: string, all: string[] | undefined) => [...(all ?? []), entry],
    )
    .option('--dry-run', 'say what each line would do, and change nothing')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExit status: 0 when every line applied, 1 when some lines were rejected, 2 when the file was refused or the import failed.',
    )
    .action(async (file: string, opts: ImportOptions) => {
      const json = Boolean(opts.json)
      const code = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        const scope = { organizationId: org.id, actor: cliActor }
        let record: ImportRecord
        try {
          const options = readOptions.parse({
            delimiter: opts.delimiter,
            encoding: opts.encoding,
            sheet: opts.sheet,
            headerRow: opts.headerRow,
          })
          const { row, preview } = await createImport(store.db, scope, await upload(file), options)
          const mapping = opts.mapping
            ? await readMapping(opts.mapping, preview.inspection.columns)
            : preview.suggestedMapping
          const values = parseValueMap(opts.valueMap ?? [], preview.inspection.columns, mapping)
          const mapped = await setMapping(store.db, org.id, row.id, mapping, values)
          if (opts.dryRun) {
            record = { ...toImportRecord(mapped.row), summary: mapped.summary }
          } else {
            const queue = await startQueue(store, loadConfig(), { workers: [runImportJob.name] })
            try {
              await startImport(store.db, queue, org.id, row.id)
              record = toImportRecord(await waitForEnd(store, queue, org.id, row.id, json))
            } finally {
              await queue.stop()
            }
          }
        } catch (error) {
          if (error instanceof z.ZodError) {
            return refuse(
              new AppError(
                'validation_failed',
                error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join(' '),
              ),
            )
          }
          if (
            error instanceof AppError &&
            error.code !== 'not_found' &&
            error.code !== 'internal'
          ) {
            return refuse(error)
          }
          throw error
        }
        return report(store, org.id, record, Boolean(opts.dryRun), json)
      })
      process.exitCode = code
    })
}

const refuse = (error: AppError): never => fail(error, 2)

async function report(
  store: Store,
  organizationId: string,
  record: ImportRecord,
  dryRun: boolean,
  json: boolean,
): Promise<number> {
  const rejected = []
  for (let after = 0; ;) {
    const page = await rejectedLines(store.db, organizationId, record.id, after, 5000)
    rejected.push(...page)
    const last = page[page.length - 1]
    if (!last) break
    after = last.line
  }
  const summary: ImportSummary | null = record.summary ?? record.dryRun
  const status = dryRun ? 'dry_run' : record.status
  const empty = { created: 0, updated: 0, unchanged: 0 }
  if (json) {
    process.stdout.write(
      JSON.stringify({
        id: record.id,
        status,
        lines: summary?.lines.total ?? record.progress.linesTotal ?? 0,
        customers: summary?.customers ?? empty,
        contacts: summary?.contacts ?? empty,
        rejected,
      }) + '\n',
    )
  } else {
    if (process.stderr.isTTY) process.stderr.write('\r')
    const lines = [
      `Import ${record.id} ${dryRun ? 'dry run' : status}: ${summary?.lines.total ?? 0} lines.`,
      counts('Customers', summary?.customers ?? empty),
      counts('Contacts', summary?.contacts ?? empty),
    ]
    if (record.error) lines.push(`Error: ${record.error}`)
    if (rejected.length > 0) lines.push(`${rejected.length} lines rejected:`)
    for (const r of rejected) {
      for (const problem of r.problems) {
        const where = problem.column ? `, column "${problem.column}"` : ''
        const value = problem.value ? `, value "${problem.value}"` : ''
        lines.push(`  line ${r.line}${where}${value}: ${problem.reason}`)
      }
    }
    process.stdout.write(lines.join('\n') + '\n')
  }
  if (!dryRun && record.status !== 'completed') return 2
  return rejected.length > 0 ? 1 : 0
}
