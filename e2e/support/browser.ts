import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { describe, it } from 'vitest'

/** Debian's Chromium: the binary behind the /usr/bin/chromium wrapper, or CHROMIUM_PATH. */
function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/lib/chromium/chromium',
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ]
  return candidates.find((path): path is string => !!path && existsSync(path))
}

export const chromiumPath = findChromium()

const missing =
  'Chromium is not installed, so the browser tests cannot run: install it with ' +
  '`apt-get install chromium` (or set CHROMIUM_PATH).'

/**
 * A browser suite. Without Chromium it fails in CI (CI=true), where the browser tests must run,
 * and is skipped elsewhere with a message saying why.
 */
export function describeInBrowser(name: string, suite: () => void): void {
  if (chromiumPath) {
    // A browser step waits for pages, jobs and a busy machine: more time than an API test.
    describe(name, { timeout: 60_000 }, suite)
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('runs in Chromium', () => {
        throw new Error(missing)
      })
    })
  } else {
    process.stderr.write(`\n[e2e] Skipping "${name}": ${missing}\n`)
    describe.skip(name, suite)
  }
}

export interface Browser {
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

export const laptop = { width: 1280, height: 800 }
export const phone = { width: 390, height: 844 }

/** Headless Chromium with a fresh profile, and one page in it. */
export async function openBrowser(baseURL: string): Promise<Browser> {
  if (!chromiumPath) throw new Error(missing)
  const profile = await mkdtemp(join(tmpdir(), 'roster-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    baseURL,
    viewport: laptop,
    locale: 'en-GB',
    timezoneId: 'Europe/Paris',
    acceptDownloads: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  context.setDefaultTimeout(15_000)
  // The server's Content-Security-Policy must let the app do all it does: a page it blocked fails
  // the file.
  const blocked: string[] = []
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) blocked.push(message.text())
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    close: async () => {
      await context.close()
      await rm(profile, { recursive: true, force: true })
      if (blocked.length > 0) {
        throw new Error(`The Content-Security-Policy blocked the app:\n${blocked.join('\n')}`)
      }
    },
  }
}
