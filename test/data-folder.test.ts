import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../src/platform/db/client.ts'

describe('a data folder Roster cannot write', () => {
  it('is refused in one line that names the folder and the cause', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'roster-data-')), 'a-file')
    await writeFile(file, '')
    const dataDir = join(file, 'data')
    const error = await openStore({ databaseUrl: undefined, dataDir }).then(
      () => null,
      (e: unknown) => e as Error,
    )
    expect(error?.message).toBe(
      `Roster cannot write to its data folder ${dataDir} (part of the path is a file): make it writable by this user, or set ROSTER_DATA_DIR to another folder.`,
    )
  })
})
