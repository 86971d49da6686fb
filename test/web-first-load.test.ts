import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureWebBuild, webDist } from '../src/platform/web/build.ts'
import {
  firstLoad,
  firstLoadBudget,
  firstPages,
  kilobytes,
} from '../src/platform/web/first-load.ts'

describe('the web app loads fast', () => {
  it('downloads at most 300 KB compressed before the sign-in page or the customers list shows', async () => {
    await ensureWebBuild()
    for (const [name, page] of Object.entries(firstPages)) {
      const load = firstLoad(webDist, page)
      const sizes = `${name}: ${kilobytes(load.gzip)} gzip, ${kilobytes(load.brotli)} brotli`
      expect(load.gzip, `${sizes}\n${load.files.join('\n')}`).toBeLessThanOrEqual(firstLoadBudget)
      expect(load.brotli, sizes).toBeLessThanOrEqual(load.gzip)
      // The page's own chunk is part of it, and the other pages are not.
      expect(load.files.some((file) => file.includes(page.replace(/.*\/|\.tsx$/g, '')))).toBe(true)
      expect(
        load.files.filter((file) => /ImportsPage|SettingsPage|CustomerPage-/.test(file)),
      ).toEqual([])
    }
  })

  it('keeps each file the build sends compressed, and its manifest out of the served assets', async () => {
    await ensureWebBuild()
    const load = firstLoad(webDist, firstPages.customers)
    for (const file of load.files) {
      expect(existsSync(join(webDist, `${file}.gz`)), file).toBe(true)
      expect(existsSync(join(webDist, `${file}.br`)), file).toBe(true)
    }
    expect(existsSync(join(webDist, 'assets', 'manifest.json'))).toBe(false)
  })
})
