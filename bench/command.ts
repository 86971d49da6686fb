// Runs a CLI command as a user does (bin/roster) and measures its wall time and the peak memory
// of its own process, read by the kernel at its exit (bench/peak-hook.ts).
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const roster = new URL('../bin/roster', import.meta.url).pathname
const hook = new URL('./peak-hook.ts', import.meta.url).pathname

export interface CommandRun {
  seconds: number
  peakMb: number
  stdout: string
  code: number
}

export async function runRoster(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const folder = await mkdtemp(join(tmpdir(), 'roster-peak-'))
  const peakFile = join(folder, 'peaks')
  try {
    const started = performance.now()
    const child = spawn(roster, args, {
      env: {
        ...env,
        BENCH_PEAK_FILE: peakFile,
        NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --import=${hook}`.trim(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number>((resolve) => {
      child.on('close', (c) => {
        resolve(c ?? 1)
      })
    })
    const seconds = (performance.now() - started) / 1000
    // bin/roster execs Node.js, so the command's process keeps the pid spawned here.
    const peaks = (await readFile(peakFile, 'utf8').catch(() => ''))
      .trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number))
    const own = peaks.find(([pid]) => pid === child.pid)
    if (!own)
      throw new Error(`roster ${args.join(' ')} (exit ${code}) reported no memory: ${stderr}`)
    return { seconds, peakMb: Math.round((own[1] ?? 0) / 1024), stdout, code } satisfies CommandRun
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}
