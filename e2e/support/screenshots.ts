import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'

const root = join(import.meta.dirname, '..', '..')
const tourDir = join(root, 'docs', 'tour')

/**
 * Screenshots of a suite's steps, numbered in order under test-output/screenshots/<suite>/.
 * With ROSTER_TOUR=1 (`npm run tour`), the steps named for the README's tour are also written to
 * docs/tour/.
 */
export function screenshots(suite: string) {
  const dir = join(root, 'test-output', 'screenshots', suite)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  let step = 0
  return async (page: Page, name: string, options: { tour?: string } = {}): Promise<void> => {
    step += 1
    // Let transitions (menus, dialogs, notifications) settle so the picture shows the outcome.
    await page.waitForTimeout(250)
    const file = `${String(step).padStart(2, '0')}-${name}.png`
    await page.screenshot({ path: join(dir, file) })
    if (options.tour && process.env.ROSTER_TOUR === '1') {
      mkdirSync(tourDir, { recursive: true })
      await page.screenshot({ path: join(tourDir, `${options.tour}.png`) })
    }
  }
}
