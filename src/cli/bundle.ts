import { renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { withBuildLock } from '../platform/build/lock.ts'
import { distDir, rootDir } from '../platform/build/paths.ts'
import { isBuildFresh, writeStamp } from '../platform/build/stamp.ts'

/**
 * The CLI and server as one module (`bin/roster` runs it). Started from its sources, every
 * command first loads some 300 modules and strips their types, and drizzle-orm's hundreds of
 * files each make Node read its 180 KB package manifest again: 3.5 s of CPU and 350 MB before
 * `--help` prints. Bundled, that is paid once, at build time. Packages other than drizzle-orm
 * stay outside: they load quickly, and some find their own files next to their code.
 */
export const cliDist = join(distDir, 'cli')
const output = 'roster.mjs'
export const cliBundle = join(cliDist, output)
const inlined = new Set(['drizzle-orm'])

export function isCliBundleFresh(): boolean {
  return isBuildFresh(rootDir, cliDist, output)
}

/** Builds the bundle unless the one in dist/cli was made from the sources as they are now. */
export async function ensureCliBundle(): Promise<{ built: boolean }> {
  if (isCliBundleFresh()) return { built: false }
  return withBuildLock('cli', async () => {
    if (isCliBundleFresh()) return { built: false }
    const { build } = await import('esbuild')
    const tmp = join(distDir, `.cli-${process.pid}`)
    rmSync(tmp, { recursive: true, force: true })
    const result = await build({
      entryPoints: [join(rootDir, 'src', 'cli', 'main.ts')],
      outfile: join(tmp, output),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      metafile: true,
      logLevel: 'error',
      plugins: [
        {
          name: 'roster-packages-outside',
          setup(builder) {
            builder.onResolve({ filter: /^[^./]/ }, ({ path }) => {
              const parts = path.split('/')
              const name = path.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '')
              return inlined.has(name) ? undefined : { external: true }
            })
          },
        },
      ],
    })
    const inputs = Object.keys(result.metafile.inputs).map((file) => join(rootDir, file))
    writeStamp(rootDir, tmp, inputs, ['src/cli/bundle.ts'])
    rmSync(cliDist, { recursive: true, force: true })
    renameSync(tmp, cliDist)
    return { built: true }
  })
}
