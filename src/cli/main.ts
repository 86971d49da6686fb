import { Command } from 'commander'
import { connectors } from '../modules/sources/connectors/index.ts'
import { guardOutboundLookups } from '../platform/http/outbound.ts'
import { registerApiKey } from './api-key.ts'
import { registerConnection } from './connection.ts'
import { registerContact } from './contact.ts'
import { registerContactSource } from './contact-source.ts'
import { fail, type CliDeps } from './context.ts'
import { registerExport } from './export.ts'
import { registerImport } from './import.ts'
import { registerMember } from './member.ts'
import { registerOrg } from './org.ts'
import { registerReminder } from './reminder.ts'
import { registerServe } from './serve.ts'
import { registerSync } from './sync.ts'
import { registerWorker } from './worker.ts'
import { registerWebhook } from './webhook.ts'
import { registerWorkflow } from './workflow.ts'

// A reader that stops early (`roster export | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

/** Runs the command in `process.argv`; the connectors are Roster's own unless given (tests). */
export async function runCli(deps: CliDeps = { connectors }): Promise<void> {
  guardOutboundLookups()
  const program = new Command('roster')
    .description('Roster: customers and contacts for accounts-receivable teams')
    .showHelpAfterError()
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? 0 : 2)
    })
  for (const register of [
    registerServe,
    registerWorker,
    registerOrg,
    registerMember,
    registerWorkflow,
    registerReminder,
    registerApiKey,
    registerExport,
    registerImport,
    registerConnection,
    registerSync,
    registerContactSource,
    registerContact,
    registerWebhook,
  ]) {
    register(program, deps)
  }

  try {
    await program.parseAsync()
  } catch (error) {
    fail(error)
  }
}

if (import.meta.main) await runCli()
