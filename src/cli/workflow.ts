import type { Command } from 'commander'
import { workflowCreate } from '../contracts/workflows.ts'
import { addWorkflow } from '../modules/workflows/workflows.service.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { print, withStore } from './context.ts'
import { parseInput } from './parse.ts'

export function registerWorkflow(program: Command): void {
  program
    .command('workflow')
    .description('reminder workflows')
    .command('add')
    .description('add a workflow')
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--name <name>', 'its name')
    .option('--json', 'print the workflow as JSON')
    .action(async (opts: { org: string; name: string; json?: boolean }) => {
      const { name } = parseInput(workflowCreate, { name: opts.name })
      const created = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        return addWorkflow(store.db, org.id, { name })
      })
      print(Boolean(opts.json), created, `Added workflow ${created.name} (id ${created.id})`)
    })
}
