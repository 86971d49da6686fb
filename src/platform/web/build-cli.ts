import { rmSync } from 'node:fs'
import { ensureWebBuild, webDist } from './build.ts'
import { firstLoad, firstPages, kilobytes } from './first-load.ts'

// `npm run build:web`: builds the web app now (`--if-stale`: only when its sources changed).
if (!process.argv.includes('--if-stale')) rmSync(webDist, { recursive: true, force: true })
const { built, ms } = await ensureWebBuild((message) => process.stdout.write(`${message}\n`))
if (!built) process.stdout.write('The web app is up to date.\n')
else process.stdout.write(`Built into ${webDist} in ${ms} ms.\n`)
for (const [name, page] of Object.entries(firstPages)) {
  const load = firstLoad(webDist, page)
  process.stdout.write(
    `First load of the ${name} page: ${kilobytes(load.gzip)} gzip, ${kilobytes(load.brotli)} brotli (${kilobytes(load.raw)} uncompressed, ${load.files.length} files).\n`,
  )
}
