import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { distDir } from './paths.ts'

const staleLockMs = 10 * 60 * 1000

/**
 * Runs one build of `name` at a time across processes (test files, two servers, CLI commands
 * started together): the others wait, then find the build made. A lock left by a killed build
 * is taken over after a while.
 */
export async function withBuildLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  const lockDir = join(distDir, `.${name}-build.lock`)
  mkdirSync(distDir, { recursive: true })
  for (;;) {
    try {
      mkdirSync(lockDir)
      break
    } catch {
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > staleLockMs) {
        rmSync(lockDir, { recursive: true, force: true })
      }
      await sleep(100)
    }
  }
  try {
    return await work()
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
}
