/** Runs are scheduled on 15-minute ticks: the cron fires on each, and queues the due connections. */
export const SCHEDULE_MINUTES = 15
const TICK_MS = SCHEDULE_MINUTES * 60_000

/** The tick after `now`. */
export const nextTick = (now: Date): Date =>
  new Date((Math.floor(now.getTime() / TICK_MS) + 1) * TICK_MS)

/** When a connection due at `due` is actually synced: at that tick, or the next one after it. */
export const tickOf = (due: Date): Date => (due.getTime() % TICK_MS === 0 ? due : nextTick(due))
