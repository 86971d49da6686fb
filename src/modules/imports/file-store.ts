import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { and, asc, eq, gte } from 'drizzle-orm'
import type { Db, DbOrTx } from '../../platform/db/client.ts'
import { AppError } from '../../platform/errors.ts'
import { importFiles } from '../../platform/db/schema/index.ts'

const PIECE = 1024 * 1024

/** Keeps the uploaded file in the database, so whichever process runs the import can read it. */
export async function saveFile(
  tx: DbOrTx,
  organizationId: string,
  importId: string,
  path: string,
): Promise<void> {
  let seq = 0
  for await (const piece of createReadStream(path, {
    highWaterMark: PIECE,
  }) as AsyncIterable<Buffer>) {
    await tx.insert(importFiles).values({ organizationId, importId, seq: seq++, data: piece })
  }
}

/** Files this process is still storing, by import. */
const storing = new Map<string, Promise<void>>()

/**
 * Stores the uploaded file in the background, in one transaction (other processes see all of it
 * or nothing): the upload is answered with its preview without waiting for a large file to be
 * written. `path` must stay until the returned promise settles; this process's readers of the
 * file wait for it (`localCopy`).
 */
export function storeFile(
  db: Db,
  organizationId: string,
  importId: string,
  path: string,
): Promise<void> {
  const stored = db
    .transaction((tx) => saveFile(tx, organizationId, importId, path))
    .finally(() => storing.delete(importId))
  // Awaited by whoever needs the file; a failure is reported there, not as unhandled.
  stored.catch(() => undefined)
  storing.set(importId, stored)
  return stored
}

/** The file's pieces in order, a few at a time. */
export async function* filePieces(
  db: DbOrTx,
  organizationId: string,
  importId: string,
): AsyncGenerator<Buffer> {
  for (let from = 0; ; from += 8) {
    const rows = await db
      .select({ seq: importFiles.seq, data: importFiles.data })
      .from(importFiles)
      .where(
        and(
          eq(importFiles.organizationId, organizationId),
          eq(importFiles.importId, importId),
          gte(importFiles.seq, from),
        ),
      )
      .orderBy(asc(importFiles.seq))
      .limit(8)
    for (const row of rows) yield row.data
    if (rows.length < 8) return
  }
}

/**
 * A local copy of the uploaded file to read from, written once per content hash into the
 * temporary folder (readers need a path: xlsx is a zip, read from its end).
 */
export async function localCopy(
  db: DbOrTx,
  file: { organizationId: string; importId: string; sha256: string; size: number },
): Promise<string> {
  const dir = join(tmpdir(), 'roster-imports')
  const path = join(dir, file.sha256)
  const existing = await stat(path).catch(() => undefined)
  if (existing?.size === file.size) return path
  const failed = await storing.get(file.importId)?.then(
    () => false,
    () => true,
  )
  if (failed) {
    throw new AppError('conflict', 'The file of this import could not be stored: upload it again.')
  }
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const partial = `${path}.${process.pid}.${Date.now()}.part`
  const out = createWriteStream(partial, { mode: 0o600 })
  for await (const piece of filePieces(db, file.organizationId, file.importId)) {
    if (!out.write(piece)) await once(out, 'drain')
  }
  out.end()
  await finished(out)
  if ((await stat(partial)).size !== file.size) {
    await rm(partial, { force: true })
    // Another process is still storing it (or failed to).
    throw new AppError(
      'conflict',
      'The file of this import is still being stored: try again in a moment, or upload it again.',
    )
  }
  await rename(partial, path)
  return path
}
