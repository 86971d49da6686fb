import { rmSync } from 'node:fs'
import { ensureWebBuild, webDist } from './build.ts'

// `npm run build:web`: builds the web app now (`--if-stale`: only when its sources changed).
if (!process.argv.includes('--if-stale')) rmSync(webDist, { recursive: true, force: true })
const { built, ms } = await ensureWebBuild((message) => process.stdout.write(`${message}\n`))
if (!built) process.stdout.write('The web app is up to date.\n')
else process.stdout.write(`Built into ${webDist} in ${ms} ms.\n`)
