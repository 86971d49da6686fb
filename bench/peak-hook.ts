// Loaded into each Node.js process of a measured command (NODE_OPTIONS=--import): at exit, it
// appends the process's peak resident memory (kernel's count, KiB) to BENCH_PEAK_FILE.
import { appendFileSync } from 'node:fs'

const target = process.env.BENCH_PEAK_FILE
if (target) {
  process.on('exit', () => {
    appendFileSync(target, `${process.pid} ${process.resourceUsage().maxRSS}\n`)
  })
}
