import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The project's folder: the nearest one above this module that holds Roster's migrations. It is
 * the same whether this module runs from the sources (src/platform/build) or from the CLI's
 * bundle (dist/cli), which is why nothing counts `..` from a module's own place.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'drizzle'))) return dir
    if (dirname(dir) === dir) throw new Error(`Roster's folder was not found above ${from}`)
  }
}

export const rootDir = findRoot(import.meta.dirname)
/** Where builds go (the web app, the CLI's bundle); not in version control. */
export const distDir = join(rootDir, 'dist')
