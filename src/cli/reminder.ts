import { setTimeout as sleep } from 'node:timers/promises'
import type { Command } from 'commander'
import { reminderCreate, type Reminder } from '../contracts/reminders.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { sendReminder } from '../modules/reminders/reminders.job.ts'
import {
  findCustomerByRef,
  findReminder,
  findStepByName,
} from '../modules/reminders/reminders.queries.ts'
import { createReminder } from '../modules/reminders/reminders.service.ts'
import { cliActor } from '../platform/auth/scope.ts'
import { loadConfig } from '../platform/config.ts'
import type { Store } from '../platform/db/client.ts'
import { AppError } from '../platform/errors.ts'
import { startQueue, startWorkers } from '../app/jobs.ts'
import { print, withStore } from './context.ts'
import { parseInput } from './parse.ts'

const collect = (value: string, previous: string[]): string[] => [...previous, value]

/** How long the command waits for the first attempt before leaving the retries to the server. */
const WAIT_MS = 60_000

async function waitForAttempt(store: Store, organizationId: string, id: string) {
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const reminder = await findReminder(store.db, organizationId, id)
    if (!reminder) throw new AppError('not_found', 'The reminder was removed with its customer.')
    const pending = reminder.status === 'queued' || reminder.status === 'sending'
    if (!pending || reminder.reason || Date.now() > deadline) return reminder
    await sleep(200)
  }
}

function describe(reminder: Reminder): string {
  const to = reminder.to.map((r) => r.email).join(', ')
  const cc = reminder.cc.length > 0 ? ` (cc ${reminder.cc.map((r) => r.email).join(', ')})` : ''
  switch (reminder.status) {
    case 'sent':
      return `Sent "${reminder.stepName}" to ${to}${cc} (reminder ${reminder.id}).`
    case 'failed':
      return `Reminder ${reminder.id} failed: ${reminder.reason ?? 'unknown reason'}`
    case 'unconfirmed':
      return `Reminder ${reminder.id} to ${to}${cc}: ${reminder.reason ?? 'delivery not confirmed'}`
    case 'sending':
      return `Reminder ${reminder.id} to ${to}${cc} is being handed to the mail server.`
    case 'queued':
      return `Reminder ${reminder.id} to ${to}${cc} is queued${reminder.reason ? `: ${reminder.reason}` : ''}; roster serve sends it.`
  }
}

export function registerReminder(program: Command): void {
  program
    .command('reminder')
    .description('payment reminders')
    .command('send')
    .description("send a reminder step to a customer's contacts and wait for the first attempt")
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--customer <id>', 'the customer: its Roster id or its customer ID')
    .requiredOption('--step <name>', "the step's name (of the customer's workflow)")
    .option('--to <email>', 'send to this address instead of the step’s (repeatable)', collect, [])
    .option('--cc <email>', 'copy this address instead of the step’s (repeatable)', collect, [])
    .option('--json', 'print the reminder as JSON')
    .action(
      async (opts: {
        org: string
        customer: string
        step: string
        to: string[]
        cc: string[]
        json?: boolean
      }) => {
        const config = loadConfig()
        const reminder = await withStore(async (store) => {
          const org = await findOrganization(store.db, opts.org)
          const customer = await findCustomerByRef(store.db, org.id, opts.customer)
          const step = await findStepByName(store.db, org.id, customer.workflowId, opts.step)
          const chosen = opts.to.length > 0 || opts.cc.length > 0
          const input = parseInput(reminderCreate, {
            step,
            ...(chosen
              ? {
                  to: opts.to.map((email) => ({ email })),
                  cc: opts.cc.map((email) => ({ email })),
                }
              : {}),
          })
          const queue = await startQueue(store, config)
          try {
            const created = await store.db.transaction((tx) =>
              createReminder(
                tx,
                queue,
                { organizationId: org.id, actor: cliActor },
                customer.id,
                input,
                new URL(config.publicUrl).hostname,
              ),
            )
            await startWorkers(queue, store, config, [sendReminder.name])
            return await waitForAttempt(store, org.id, created.id)
          } finally {
            await queue.stop()
          }
        })
        print(Boolean(opts.json), reminder, describe(reminder))
        if (reminder.status === 'failed' || reminder.status === 'unconfirmed') process.exitCode = 1
      },
    )
}
