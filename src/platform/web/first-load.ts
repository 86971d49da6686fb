import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The most a browser downloads, compressed, to show the first page (the sign-in page, or the
 * customers list once signed in): scripts and style sheets of the entry and of that page.
 */
export const firstLoadBudget = 300 * 1024

/** The pages a visitor lands on first, as the manifest names their modules. */
export const firstPages = {
  'sign-in': 'src/pages/SignInPage.tsx',
  customers: 'src/pages/CustomersPage.tsx',
} as const

/** One chunk in Vite's manifest (`build.manifest`), keyed by its source module. */
interface ManifestChunk {
  file: string
  isEntry?: boolean
  imports?: string[]
  css?: string[]
}

export interface FirstLoad {
  page: string
  /** The files fetched before the page shows, in the build's folder (assets/…). */
  files: string[]
  raw: number
  gzip: number
  brotli: number
}

export const manifestPath = (webDir: string): string => join(webDir, '.vite', 'manifest.json')

/**
 * What the first visit to `page` downloads: the entry chunk and the page's chunk, with every
 * chunk they import statically and their style sheets (dynamic imports wait until used). Sizes
 * are those of the compressed copies the server sends (web/vite.config.ts writes them).
 */
export function firstLoad(webDir: string, page: string): FirstLoad {
  const manifest = JSON.parse(readFileSync(manifestPath(webDir), 'utf8')) as Record<
    string,
    ManifestChunk
  >
  const entry = Object.keys(manifest).find((key) => manifest[key]?.isEntry)
  if (!entry) throw new Error('The web build has no entry chunk in its manifest.')
  if (!manifest[page]) throw new Error(`The web build has no chunk for ${page}.`)
  const files = new Set<string>()
  const seen = new Set<string>()
  const visit = (key: string): void => {
    if (seen.has(key)) return
    seen.add(key)
    const chunk = manifest[key]
    if (!chunk) return
    files.add(chunk.file)
    for (const css of chunk.css ?? []) files.add(css)
    for (const imported of chunk.imports ?? []) visit(imported)
  }
  visit(entry)
  visit(page)
  const size = (file: string): number => (existsSync(file) ? statSync(file).size : 0)
  let raw = 0
  let gzip = 0
  let brotli = 0
  for (const file of files) {
    const path = join(webDir, file)
    raw += size(path)
    // Every script and style sheet has both copies; a missing one counts as uncompressed.
    gzip += size(`${path}.gz`) || size(path)
    brotli += size(`${path}.br`) || size(path)
  }
  return { page, files: [...files].sort(), raw, gzip, brotli }
}

export const kilobytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
