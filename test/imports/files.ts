import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { afterAll } from 'vitest'

/** A temporary folder for the test file's fixtures, removed after its tests. */
export async function fixtureDir(): Promise<(name: string) => string> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-read-'))
  afterAll(() => rm(dir, { recursive: true, force: true }))
  let n = 0
  return (name) => join(dir, `${n++}-${name}`)
}

/** Writes the text in the encoding, with its byte order mark when asked. */
export async function writeText(
  path: string,
  text: string,
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'iso-8859-1' = 'utf-8',
  bom = false,
): Promise<string> {
  await writeFile(path, iconv.encode(text, encoding, { addBOM: bom }))
  return path
}

/** How many of this process's open file descriptors point at the file (Linux only). */
export async function openHandles(path: string): Promise<number> {
  const fds = await readdir('/proc/self/fd')
  const targets = await Promise.all(
    fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
  )
  return targets.filter((target) => target === path).length
}

export const canCountHandles = existsSync('/proc/self/fd')
