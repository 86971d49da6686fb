import { and, asc, eq, gt, sql } from 'drizzle-orm'
import type { Invitation, InvitationCreate } from '../../contracts/organizations.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import { hashToken } from '../../platform/auth/secrets.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { invitations, members, organizations } from '../../platform/db/schema/index.ts'
import { AppError, isUniqueViolation, notFound } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { sendAccountEmail } from './account-emails.job.ts'
import { addMember } from './members.service.ts'

type InvitationRow = typeof invitations.$inferSelect

const toInvitation = (row: InvitationRow, now = new Date()): Invitation => ({
  id: row.id,
  email: row.email,
  role: row.role,
  invitedBy: row.invitedByLabel,
  sentAt: row.sentAt?.toISOString() ?? null,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  expired: row.expiresAt !== null && row.expiresAt <= now,
  createdAt: row.createdAt.toISOString(),
})

async function assertNotAMember(db: DbOrTx, organizationId: string, email: string): Promise<void> {
  const [existing] = await db
    .select({ id: members.id })
    .from(members)
    .where(
      and(
        eq(members.organizationId, organizationId),
        eq(sql`lower(${members.email})`, email.toLowerCase()),
      ),
    )
  if (existing) {
    throw new AppError(
      'conflict',
      `${email} is already a member of this organisation: change their role in the members list instead.`,
      [{ path: 'email', message: 'Already a member.' }],
    )
  }
}

/**
 * Invites an email with a role: the invitation is written and its email queued in the caller's
 * transaction (the job makes the link's token when it sends it).
 */
export async function invite(
  tx: DbOrTx,
  queue: Queue,
  scope: Scope,
  input: InvitationCreate,
): Promise<Invitation> {
  const organizationId = scope.organizationId
  await assertNotAMember(tx, organizationId, input.email)
  let row: InvitationRow | undefined
  try {
    ;[row] = await tx
      .insert(invitations)
      .values({
        organizationId,
        email: input.email,
        role: input.role,
        invitedByMemberId: scope.actor.kind === 'member' ? scope.actor.id : null,
        invitedByLabel: scope.actor.label,
      })
      .returning()
  } catch (error) {
    if (isUniqueViolation(error, 'invitations_email_unique')) {
      throw new AppError(
        'conflict',
        `${input.email} is already invited: send the invitation again from the list of invitations if it was lost.`,
        [{ path: 'email', message: 'Already invited.' }],
      )
    }
    throw error
  }
  if (!row) throw new Error('insert returned no row')
  await queue.enqueue(tx, sendAccountEmail, {
    kind: 'invitation',
    organizationId,
    invitationId: row.id,
  })
  return toInvitation(row)
}

export async function listInvitations(db: DbOrTx, organizationId: string): Promise<Invitation[]> {
  const rows = await db
    .select()
    .from(invitations)
    .where(eq(invitations.organizationId, organizationId))
    .orderBy(asc(sql`lower(${invitations.email})`))
  const now = new Date()
  return rows.map((row) => toInvitation(row, now))
}

/** Withdraws an invitation: its link stops working at once. */
export async function revokeInvitation(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<void> {
  const rows = await db
    .delete(invitations)
    .where(and(eq(invitations.organizationId, organizationId), eq(invitations.id, id)))
    .returning({ id: invitations.id })
  if (rows.length === 0) throw notFound('Invitation')
}

/**
 * Sends an invitation again, with a new link valid for another INVITATION_DAYS days; the link of
 * the previous email stops working when the new one is sent.
 */
export async function resendInvitation(
  tx: DbOrTx,
  queue: Queue,
  organizationId: string,
  id: string,
): Promise<Invitation> {
  const [row] = await tx
    .update(invitations)
    .set({ sentAt: null, expiresAt: null, tokenHash: null })
    .where(and(eq(invitations.organizationId, organizationId), eq(invitations.id, id)))
    .returning()
  if (!row) throw notFound('Invitation')
  await queue.enqueue(tx, sendAccountEmail, {
    kind: 'invitation',
    organizationId,
    invitationId: id,
  })
  return toInvitation(row)
}

const invalidLink = (): AppError =>
  new AppError(
    'not_found',
    'This invitation link does not work: it has expired, was already used, or was withdrawn. Ask an admin of the organisation to send it again.',
    [{ path: 'token', message: 'Invalid or expired link.' }],
  )

async function findByToken(db: DbOrTx, token: string, lock = false) {
  const query = db
    .select({ invitation: invitations, organization: organizations.name })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .where(and(eq(invitations.tokenHash, hashToken(token)), gt(invitations.expiresAt, new Date())))
  const [row] = lock ? await query.for('update', { of: invitations }) : await query
  if (!row) throw invalidLink()
  return row
}

/** What the link shows before the invitee chooses a password. */
export async function previewInvitation(
  db: DbOrTx,
  token: string,
): Promise<{ email: string; role: Invitation['role']; organization: { name: string } }> {
  const { invitation, organization } = await findByToken(db, token)
  return { email: invitation.email, role: invitation.role, organization: { name: organization } }
}

/**
 * Accepts an invitation: the member is created with their name and password (their email is
 * proven: the link came to it) and the invitation is used up.
 */
export async function acceptInvitation(
  tx: DbOrTx,
  input: { token: string; name: string; password: string },
): Promise<{ organizationId: string; id: string }> {
  const { invitation } = await findByToken(tx, input.token, true)
  await tx
    .delete(invitations)
    .where(
      and(
        eq(invitations.organizationId, invitation.organizationId),
        eq(invitations.id, invitation.id),
      ),
    )
  const member = await addMember(
    tx,
    invitation.organizationId,
    { email: invitation.email, name: input.name, role: invitation.role, password: input.password },
    { emailVerified: true },
  )
  return { organizationId: invitation.organizationId, id: member.id }
}
