import type { importStatus } from '../../platform/db/schema/index.ts'
import { AppError } from '../../platform/errors.ts'

export type ImportStatus = (typeof importStatus.enumValues)[number]

/** Where an import may go from each status; checked before every status write. */
const transitions: Record<ImportStatus, readonly ImportStatus[]> = {
  uploaded: ['uploaded', 'mapped', 'cancelled'],
  mapped: ['uploaded', 'mapped', 'queued', 'cancelled'],
  queued: ['running', 'cancelled', 'failed'],
  running: ['running', 'completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
}

const why: Partial<Record<ImportStatus, string>> = {
  queued: 'it has already been submitted',
  running: 'it is running',
  completed: 'it has already completed',
  failed: 'it has failed; upload the file again',
  cancelled: 'it was cancelled; upload the file again',
}

export function canMove(from: ImportStatus, to: ImportStatus): boolean {
  return transitions[from].includes(to)
}

export function assertCanMove(from: ImportStatus, to: ImportStatus, action: string): void {
  if (canMove(from, to)) return
  throw new AppError('conflict', `This import cannot ${action}: ${why[from] ?? `it is ${from}`}.`)
}

export const isFinished = (status: ImportStatus): boolean =>
  status === 'completed' || status === 'failed' || status === 'cancelled'
