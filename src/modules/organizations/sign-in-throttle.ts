import { inArray, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../platform/db/client.ts'
import { signInFailures } from '../../platform/db/schema/index.ts'
import { AppError } from '../../platform/errors.ts'

/**
 * How many failed sign-ins lock what, for how long: an account (whatever the address), and an
 * address (whatever the accounts it tries). A lock expires by itself; a success clears the
 * account's count.
 */
export const signInLimits = {
  account: { failures: 5, windowMinutes: 15, lockMinutes: 15 },
  address: { failures: 30, windowMinutes: 15, lockMinutes: 15 },
} as const

export interface ThrottleKeys {
  account: string
  address: string
}

export const throttleKeys = (email: string, address: string): ThrottleKeys => ({
  account: `account:${email.trim().toLowerCase()}`,
  address: `address:${address}`,
})

/**
 * Refuses a sign-in while its account or address is locked, before any password is checked.
 * `refusal` says what was refused, for the other uses of the same counters (password resets).
 */
export async function assertNotLocked(
  db: DbOrTx,
  keys: ThrottleKeys,
  refusal = (wait: string) =>
    `Too many failed sign-ins: try again in ${wait}, or ask an admin to reset the password.`,
): Promise<void> {
  const locks = await db
    .select({ key: signInFailures.key, lockedUntil: signInFailures.lockedUntil })
    .from(signInFailures)
    .where(inArray(signInFailures.key, [keys.account, keys.address]))
  const now = Date.now()
  const until = Math.max(0, ...locks.map((lock) => lock.lockedUntil?.getTime() ?? 0))
  if (until <= now) return
  const minutes = Math.ceil((until - now) / 60_000)
  throw new AppError('rate_limited', refusal(`${minutes} minute${minutes === 1 ? '' : 's'}`), [], {
    retryAfterSeconds: (until - now) / 1000,
  })
}

/** Counts a failure against the account and the address, locking the one that reaches its limit. */
export async function recordFailure(db: DbOrTx, keys: ThrottleKeys): Promise<void> {
  for (const [key, limit] of [
    [keys.account, signInLimits.account],
    [keys.address, signInLimits.address],
  ] as const) {
    const stale = sql`${signInFailures.windowStartedAt} < now() - make_interval(mins => ${limit.windowMinutes})`
    const failures = sql`case when ${stale} then 1 else ${signInFailures.failures} + 1 end`
    await db
      .insert(signInFailures)
      .values({
        key,
        failures: 1,
        windowStartedAt: sql`now()`,
        lockedUntil:
          limit.failures <= 1 ? sql`now() + make_interval(mins => ${limit.lockMinutes})` : null,
      })
      .onConflictDoUpdate({
        target: signInFailures.key,
        set: {
          failures,
          windowStartedAt: sql`case when ${stale} then now() else ${signInFailures.windowStartedAt} end`,
          lockedUntil: sql`case when ${failures} >= ${limit.failures} then now() + make_interval(mins => ${limit.lockMinutes}) else ${signInFailures.lockedUntil} end`,
        },
      })
  }
}

/** A successful sign-in starts the account's count again. */
export async function clearFailures(db: DbOrTx, keys: ThrottleKeys): Promise<void> {
  await db.delete(signInFailures).where(inArray(signInFailures.key, [keys.account]))
}
