import type { syncRunStatus } from '../../../platform/db/schema/index.ts'

export type SyncRunStatus = (typeof syncRunStatus.enumValues)[number]

/**
 * Where a sync run may go from each status; checked before every status write. A running run
 * stays running when a worker resumes it after a crash.
 */
const transitions: Record<SyncRunStatus, readonly SyncRunStatus[]> = {
  queued: ['queued', 'running', 'cancelled'],
  running: ['running', 'completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
}

export function canMove(from: SyncRunStatus, to: SyncRunStatus): boolean {
  return transitions[from].includes(to)
}

export function assertCanMove(from: SyncRunStatus, to: SyncRunStatus): void {
  if (!canMove(from, to)) throw new Error(`A ${from} sync run cannot become ${to}.`)
}

export const isFinished = (status: SyncRunStatus): boolean =>
  status === 'completed' || status === 'failed' || status === 'cancelled'
