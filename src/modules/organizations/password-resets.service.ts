import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import { hashPassword, hashToken } from '../../platform/auth/secrets.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { members, passwordResets, sessions } from '../../platform/db/schema/index.ts'
import { AppError } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { sendAccountEmail } from './account-emails.job.ts'
import { assertNotLocked, clearFailures, recordFailure, throttleKeys } from './sign-in-throttle.ts'

/** How long a reset link works. */
export const RESET_MINUTES = 60
/** At most one reset email per email address in this time, whoever asks. */
const RESET_INTERVAL_SECONDS = 60

/** The one answer to every request, so that it does not tell which emails have an account. */
export const resetRequested =
  'If this email belongs to a Roster account, a link to choose a new password is on its way. It works for an hour.'

const sameEmail = (email: string) => eq(sql`lower(${members.email})`, email.toLowerCase())

/**
 * Counts a reset request against its email and the client's address, whether or not the email
 * has an account (so that the refusal tells nothing either), with the sign-in limits: 5 requests
 * for an email or 30 from an address in 15 minutes, then 15 minutes of refusals (429).
 */
export async function throttleResetRequest(
  db: DbOrTx,
  email: string,
  address: string,
): Promise<void> {
  const keys = {
    account: `reset:${email.trim().toLowerCase()}`,
    address: `reset-address:${address}`,
  }
  await assertNotLocked(
    db,
    keys,
    (wait) => `Too many password reset requests: try again in ${wait}.`,
  )
  await recordFailure(db, keys)
}

/**
 * Asks for a password reset: when the email is a member's (of any organisation) and no reset
 * email went to it in the last minute, a reset is written and its email queued in `tx`. Whatever
 * the case, the caller answers the same.
 */
export async function requestPasswordReset(tx: DbOrTx, queue: Queue, email: string): Promise<void> {
  const [member] = await tx
    .select({ id: members.id })
    .from(members)
    .where(sameEmail(email))
    .limit(1)
  if (!member) return
  const [recent] = await tx
    .select({ id: passwordResets.id })
    .from(passwordResets)
    .where(
      and(
        eq(sql`lower(${passwordResets.email})`, email.toLowerCase()),
        gt(passwordResets.createdAt, sql`now() - make_interval(secs => ${RESET_INTERVAL_SECONDS})`),
      ),
    )
    .limit(1)
  if (recent) return
  const [reset] = await tx
    .insert(passwordResets)
    .values({ email, expiresAt: sql`now() + make_interval(mins => ${RESET_MINUTES})` })
    .returning({ id: passwordResets.id })
  if (!reset) throw new Error('insert returned no row')
  await queue.enqueue(tx, sendAccountEmail, { kind: 'password_reset', resetId: reset.id })
}

/**
 * Sets a new password from a reset link, once: on every membership of the email (a person has one
 * password), which are then proven to read it. Every session of those memberships ends; the
 * caller opens a new one, in the organisation of the membership made first.
 */
export async function completePasswordReset(
  tx: DbOrTx,
  input: { token: string; password: string },
): Promise<{ organizationId: string; id: string }> {
  const [reset] = await tx
    .select()
    .from(passwordResets)
    .where(
      and(
        eq(passwordResets.tokenHash, hashToken(input.token)),
        isNull(passwordResets.usedAt),
        gt(passwordResets.expiresAt, new Date()),
      ),
    )
    .for('update')
  if (!reset) {
    throw new AppError(
      'not_found',
      'This password reset link does not work: it has expired or was already used. Ask for a new one from the sign-in page.',
      [{ path: 'token', message: 'Invalid or expired link.' }],
    )
  }
  // Every link sent to this email stops working, not only this one.
  await tx
    .update(passwordResets)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(sql`lower(${passwordResets.email})`, reset.email.toLowerCase()),
        isNull(passwordResets.usedAt),
      ),
    )
  const memberships = await tx
    .update(members)
    .set({ passwordHash: await hashPassword(input.password), emailVerifiedAt: new Date() })
    .where(sameEmail(reset.email))
    .returning({ organizationId: members.organizationId, id: members.id })
  const [first] = await tx
    .select({ organizationId: members.organizationId, id: members.id })
    .from(members)
    .where(sameEmail(reset.email))
    .orderBy(asc(members.createdAt), asc(members.id))
    .limit(1)
  if (!first) {
    throw new AppError(
      'not_found',
      'This email is no longer a member of any organisation: ask an admin for an invitation.',
    )
  }
  for (const organizationId of new Set(memberships.map((m) => m.organizationId))) {
    await tx.delete(sessions).where(
      and(
        eq(sessions.organizationId, organizationId),
        inArray(
          sessions.memberId,
          memberships.filter((m) => m.organizationId === organizationId).map((m) => m.id),
        ),
      ),
    )
  }
  await clearFailures(tx, throttleKeys(reset.email, ''))
  return first
}
