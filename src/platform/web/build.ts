import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isBuildFresh } from './stamp.ts'

export const rootDir = resolve(import.meta.dirname, '../../..')
/** Where the built web app is, served by `roster serve`. */
export const webDist = join(rootDir, 'dist', 'web')
const lockDir = join(rootDir, 'dist', '.web-build.lock')
const staleLockMs = 10 * 60 * 1000

export function isWebBuildFresh(): boolean {
  return isBuildFresh(rootDir, webDist)
}

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(join(rootDir, 'dist'), { recursive: true })
  for (;;) {
    try {
      mkdirSync(lockDir)
      break
    } catch {
      // Another process builds; a lock left by a killed build is taken over after a while.
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > staleLockMs) {
        rmSync(lockDir, { recursive: true, force: true })
      }
      await sleep(250)
    }
  }
  try {
    return await work()
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
}

/** Runs `vite build` in a child process into a fresh folder, then puts it in place. */
function runViteBuild(outDir: string): Promise<void> {
  const vite = join(rootDir, 'node_modules', 'vite', 'bin', 'vite.js')
  const args = [vite, 'build', '--config', join(rootDir, 'web', 'vite.config.ts')]
  args.push('--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn')
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: rootDir,
      stdio: ['ignore', 'inherit', 'pipe'],
    })
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
  return withBuildLock(async () => {
    if (isWebBuildFresh()) return { built: false, ms: Date.now() - started }
    log('Building the web app (first start, or its sources changed)…')
    const tmp = join(rootDir, 'dist', `.web-${process.pid}`)
    await runViteBuild(tmp)
    rmSync(webDist, { recursive: true, force: true })
    renameSync(tmp, webDist)
    const ms = Date.now() - started
    log(`Web app built in ${(ms / 1000).toFixed(1)} s.`)
    return { built: true, ms }
  })
}
