import { and, eq } from 'drizzle-orm'
import type { Tx } from '../../platform/db/client.ts'
import { imports, type importStatus } from '../../platform/db/schema/index.ts'
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

type ImportRow = typeof imports.$inferSelect

/**
 * Moves an import to another status, checked against the lifecycle on the row as it is now
 * (locked until the caller's transaction ends), with the other columns of `set`. Undefined when
 * the import is gone.
 */
export async function moveImport(
  tx: Tx,
  row: { organizationId: string; id: string },
  to: ImportStatus,
  action: string,
  set: Partial<Omit<ImportRow, 'status'>> = {},
): Promise<ImportRow | undefined> {
  const where = and(eq(imports.organizationId, row.organizationId), eq(imports.id, row.id))
  const [current] = await tx.select().from(imports).where(where).for('update')
  if (!current) return undefined
  assertCanMove(current.status, to, action)
  const [moved] = await tx
    .update(imports)
    .set({ ...set, status: to })
    .where(where)
    .returning()
  return moved
}
