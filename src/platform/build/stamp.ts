import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'

/**
 * What a build (the web app, the CLI's bundle) was made from: every project file the bundle
 * read, with the hash of its content. The build is fresh while each of them hashes the same,
 * which takes a few milliseconds to check, so Roster builds only when a source changed.
 */
export interface BuildStamp {
  files: Record<string, string>
}

export const stampName = '.build-stamp.json'

/**
 * Read by a build besides the modules it imports: the dependencies, this file, and the build's
 * own (its config, the web app's page).
 */
const alwaysRead = ['package-lock.json', 'src/platform/build/stamp.ts']

function hashOf(path: string): string | null {
  if (!existsSync(path)) return null
  return createHash('sha1').update(readFileSync(path)).digest('hex')
}

/** The project files among a bundle's module ids (virtual modules and packages left out). */
function projectFiles(
  rootDir: string,
  moduleIds: Iterable<string>,
  alsoRead: readonly string[],
): string[] {
  const files = new Set([...alwaysRead, ...alsoRead])
  for (const id of moduleIds) {
    const path = id.split('?')[0] ?? ''
    if (!isAbsolute(path)) continue
    const rel = relative(rootDir, path)
    if (rel.startsWith('..') || rel.split(/[\\/]/).includes('node_modules')) continue
    files.add(rel.split('\\').join('/'))
  }
  return [...files].sort()
}

export function writeStamp(
  rootDir: string,
  outDir: string,
  moduleIds: Iterable<string>,
  alsoRead: readonly string[] = [],
): void {
  const files: Record<string, string> = {}
  for (const file of projectFiles(rootDir, moduleIds, alsoRead)) {
    files[file] = hashOf(join(rootDir, file)) ?? 'missing'
  }
  const stamp: BuildStamp = { files }
  writeFileSync(join(outDir, stampName), JSON.stringify(stamp, null, 1))
}

/** True when `outDir` holds a build (its `output` file) made from the sources as they are now. */
export function isBuildFresh(rootDir: string, outDir: string, output: string): boolean {
  const path = join(outDir, stampName)
  if (!existsSync(path) || !existsSync(join(outDir, output))) return false
  let stamp: BuildStamp
  try {
    stamp = JSON.parse(readFileSync(path, 'utf8')) as BuildStamp
  } catch {
    return false
  }
  return Object.entries(stamp.files).every(
    ([file, hash]) => (hashOf(join(rootDir, file)) ?? 'missing') === hash,
  )
}
