import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import react from '@vitejs/plugin-react'
import mantinePreset from 'postcss-preset-mantine'
import type { AcceptedPlugin } from 'postcss'
import { defineConfig, type Plugin } from 'vite'
import { writeStamp } from '../src/platform/build/stamp.ts'

// The package declares its module without types; it exports a PostCSS plugin factory.
const mantine = mantinePreset as () => AcceptedPlugin

const webDir = fileURLToPath(new URL('.', import.meta.url))
const rootDir = fileURLToPath(new URL('..', import.meta.url))

/** Records what the build read, so that `roster serve` rebuilds only when a source changed. */
function buildStamp(): Plugin {
  let outDir = ''
  let ids: string[] = []
  return {
    name: 'roster-build-stamp',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir
    },
    generateBundle() {
      ids = [...this.getModuleIds()]
    },
    closeBundle() {
      writeStamp(rootDir, outDir, ids, [
        'web/index.html',
        'web/vite.config.ts',
        'src/platform/web/build.ts',
      ])
    },
  }
}

/** Writes .br and .gz next to each script and style sheet; the server sends them pre-compressed. */
function precompress(): Plugin {
  let assetsDir = ''
  return {
    name: 'roster-precompress',
    apply: 'build',
    configResolved(config) {
      assetsDir = join(config.build.outDir, config.build.assetsDir)
    },
    closeBundle() {
      for (const name of readdirSync(assetsDir).filter((f) => /\.(js|css)$/.test(f))) {
        const content = readFileSync(join(assetsDir, name))
        // Quality 9 is within a few per cent of the best and takes a fraction of its time.
        const br = brotliCompressSync(content, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 9 },
        })
        writeFileSync(join(assetsDir, `${name}.br`), br)
        writeFileSync(join(assetsDir, `${name}.gz`), gzipSync(content, { level: 9 }))
      }
    },
  }
}

export default defineConfig({
  root: webDir,
  plugins: [react(), buildStamp(), precompress()],
  resolve: { alias: { '@contracts': fileURLToPath(new URL('../src/contracts', import.meta.url)) } },
  css: { postcss: { plugins: [mantine()] } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Read by the first-load check (src/platform/web/first-load.ts); not served.
    manifest: true,
  },
  // `npm run dev:web` serves the app with hot reload and sends API calls to `npm start`.
  server: { proxy: { '/api': 'http://localhost:3000' } },
})
