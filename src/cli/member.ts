import type { Command } from 'commander'
import { and, eq, sql } from 'drizzle-orm'
import {
  invitationCreate,
  memberCreate,
  memberPatch,
  type Member,
} from '../contracts/organizations.ts'
import { withoutAccountManager } from '../modules/customers/customers.service.ts'
import { invite } from '../modules/organizations/invitations.service.ts'
import { addMember, changeRole, removeMember } from '../modules/organizations/members.service.ts'
import { findOrganization } from '../modules/organizations/organizations.service.ts'
import { cliActor } from '../platform/auth/scope.ts'
import { loadConfig } from '../platform/config.ts'
import type { DbOrTx } from '../platform/db/client.ts'
import { members } from '../platform/db/schema/index.ts'
import { notFound } from '../platform/errors.ts'
import { startQueue } from '../app/jobs.ts'
import { parseInput } from './parse.ts'
import { print, withStore } from './context.ts'

/** The member of an organisation with this email (any case). */
async function memberByEmail(db: DbOrTx, organizationId: string, email: string): Promise<string> {
  const [row] = await db
    .select({ id: members.id })
    .from(members)
    .where(
      and(
        eq(members.organizationId, organizationId),
        eq(sql`lower(${members.email})`, email.trim().toLowerCase()),
      ),
    )
  if (!row) throw notFound(`Member ${email}`)
  return row.id
}

export function registerMember(program: Command): void {
  const member = program.command('member').description('members of an organisation')

  member
    .command('add')
    .description('add a member (to let them choose their own password, invite them instead)')
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

  member
    .command('invite')
    .description('invite someone by email: roster serve emails them a link to choose a password')
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--email <email>', 'their email')
    .option('--role <role>', 'admin, account_manager or member', 'member')
    .option('--json', 'print the invitation as JSON')
    .action(async (opts: { org: string; email: string; role: string; json?: boolean }) => {
      const input = parseInput(invitationCreate, { email: opts.email, role: opts.role })
      const created = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        const queue = await startQueue(store, loadConfig())
        try {
          return await store.db.transaction((tx) =>
            invite(tx, queue, { organizationId: org.id, actor: cliActor }, input),
          )
        } finally {
          await queue.stop()
        }
      })
      print(
        Boolean(opts.json),
        created,
        `Invited ${created.email} as ${created.role}: roster serve emails them a link, which works for 7 days.`,
      )
    })

  member
    .command('role')
    .description("change a member's role (the organisation keeps at least one admin)")
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--email <email>', 'their email')
    .requiredOption('--role <role>', 'admin, account_manager or member')
    .option('--json', 'print the member as JSON')
    .action(async (opts: { org: string; email: string; role: string; json?: boolean }) => {
      const { role } = parseInput(memberPatch, { role: opts.role })
      const changed: Member = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        return store.db.transaction(async (tx) =>
          changeRole(tx, org.id, await memberByEmail(tx, org.id, opts.email), role),
        )
      })
      print(Boolean(opts.json), changed, `${changed.email} is now ${changed.role}`)
    })

  member
    .command('remove')
    .description(
      'remove a member: their sessions end, their API keys are revoked, their customers are listed',
    )
    .requiredOption('--org <org>', 'organisation slug or id')
    .requiredOption('--email <email>', 'their email')
    .option('--json', 'print what was done as JSON')
    .action(async (opts: { org: string; email: string; json?: boolean }) => {
      const removed = await withStore(async (store) => {
        const org = await findOrganization(store.db, opts.org)
        const scope = { organizationId: org.id, actor: cliActor }
        return store.db.transaction(async (tx) => {
          const id = await memberByEmail(tx, org.id, opts.email)
          const customers = await withoutAccountManager(tx, scope, id)
          return { ...(await removeMember(tx, org.id, id)), customers }
        })
      })
      const reassign =
        removed.customers.length === 0
          ? 'They managed no customer.'
          : `Give these customers another account manager: ${removed.customers.map((c) => c.name).join(', ')}.`
      print(
        Boolean(opts.json),
        removed,
        `Removed ${removed.member.email}: ${String(removed.sessionsEnded)} session(s) ended, ${String(removed.apiKeysRevoked)} API key(s) revoked. ${reassign}`,
      )
    })
}
