import { spawn } from 'node:child_process'
import { renameSync, rmSync } from 'node:fs'
import { setPriority } from 'node:os'
import { join } from 'node:path'
import { withBuildLock } from '../build/lock.ts'
import { distDir, rootDir } from '../build/paths.ts'
import { isBuildFresh } from '../build/stamp.ts'

/** Where the built web app is, served by `roster serve`. */
export const webDist = join(distDir, 'web')

export function isWebBuildFresh(): boolean {
  return isBuildFresh(rootDir, webDist, 'index.html')
}

/** Runs `vite build` in a child process into a fresh folder, then puts it in place. */
function runViteBuild(outDir: string): Promise<void> {
  const vite = join(rootDir, 'node_modules', 'vite', 'bin', 'vite.js')
  const args = [vite, 'build', '--config', join(rootDir, 'web', 'vite.config.ts')]
  args.push('--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn')
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: rootDir,
      // A production build whoever starts it: with NODE_ENV=test (vitest) or development, Vite
      // would bundle React's development build, three times the size, and keep it as fresh.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'pipe'],
    })
    // At a lower priority: `roster serve` opens the store meanwhile, and the API should not
    // wait for the CPU the build takes (it uses every core).
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, 10)
      } catch {
        // Not allowed here: the build runs at the usual priority.
      }
    }
    let errors = ''
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString()
      process.stderr.write(chunk)
    })
    child.on('error', fail)
    child.on('exit', (code) => {
      if (code === 0) done()
      else fail(new Error(`The web app did not build (vite exited with ${code}).\n${errors}`))
    })
  })
}

/**
 * Builds the web app into dist/web unless the build there was made from the current sources.
 * Processes that start at once (test files, two servers) build once: the others wait.
 */
export async function ensureWebBuild(
  log: (message: string) => void = () => undefined,
): Promise<{ built: boolean; ms: number }> {
  const started = Date.now()
  if (isWebBuildFresh()) return { built: false, ms: 0 }
  return withBuildLock('web', async () => {
    if (isWebBuildFresh()) return { built: false, ms: Date.now() - started }
    log('Building the web app (first start, or its sources changed)…')
    const tmp = join(distDir, `.web-${process.pid}`)
    await runViteBuild(tmp)
    rmSync(webDist, { recursive: true, force: true })
    renameSync(tmp, webDist)
    const ms = Date.now() - started
    log(`Web app built in ${(ms / 1000).toFixed(1)} s.`)
    return { built: true, ms }
  })
}
