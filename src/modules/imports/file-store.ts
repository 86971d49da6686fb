import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { and, asc, eq, gte } from 'drizzle-orm'
import type { DbOrTx } from '../../platform/db/client.ts'
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
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const partial = `${path}.${process.pid}.${Date.now()}.part`
  const out = createWriteStream(partial, { mode: 0o600 })
  for await (const piece of filePieces(db, file.organizationId, file.importId)) {
    if (!out.write(piece)) await once(out, 'drain')
  }
  out.end()
  await finished(out)
  await rename(partial, path)
  return path
}
