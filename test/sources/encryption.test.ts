import { mkdtemp, readFile, stat, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { deriveKey, KEY_FILE, openVault } from '../../src/platform/auth/encryption.ts'
import { loadConfig } from '../../src/platform/config.ts'

const secret = 'a-long-random-secret-of-at-least-32-characters'
const serverConfig = { databaseUrl: 'postgres://db/roster', dataDir: '/nonexistent', secret }

describe('credentials at rest', () => {
  it('are AES-256-GCM ciphertext that only opens for the connection it was written for', async () => {
    const vault = openVault(serverConfig)
    const sealed = await vault.encrypt('{"apiKey":"sk_live_123"}', 'org/connection-1')
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/)
    expect(sealed).not.toContain('sk_live')
    expect(await vault.decrypt(sealed, 'org/connection-1')).toBe('{"apiKey":"sk_live_123"}')
    expect(await vault.encrypt('{"apiKey":"sk_live_123"}', 'org/connection-1')).not.toBe(sealed)
    await expect(vault.decrypt(sealed, 'org/connection-2')).rejects.toThrow(
      'The stored credentials cannot be decrypted with the current key (was ROSTER_SECRET changed?): enter the credentials again to reconnect.',
    )
    const [version, iv, tag, body] = sealed.split('.')
    const flipped = `${version ?? ''}.${iv ?? ''}.${tag ?? ''}.${(body ?? '').replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`
    await expect(vault.decrypt(flipped, 'org/connection-1')).rejects.toThrow('cannot be decrypted')
    const otherKey = openVault({ ...serverConfig, secret: `${secret}-rotated` })
    await expect(otherKey.decrypt(sealed, 'org/connection-1')).rejects.toThrow('ROSTER_SECRET')
  })

  it('derive a 32-byte key from ROSTER_SECRET, which must be long enough', () => {
    expect(deriveKey(secret)).toHaveLength(32)
    expect(deriveKey(secret).equals(deriveKey(`${secret}x`))).toBe(false)
    expect(() => loadConfig({ ROSTER_SECRET: 'short' })).toThrow(
      'ROSTER_SECRET must be a random string of at least 32 characters',
    )
    expect(loadConfig({ ROSTER_SECRET: secret }).secret).toBe(secret)
  })

  it('cannot be stored on a PostgreSQL server without ROSTER_SECRET, and say how to fix it', async () => {
    const vault = openVault({ ...serverConfig, secret: undefined })
    await expect(vault.encrypt('{}', 'x')).rejects.toMatchObject({
      code: 'not_configured',
      message:
        'Roster cannot store credentials: set ROSTER_SECRET (a random string of at least 32 characters) in the server environment, then try again.',
    })
  })

  it('use a key generated once into the embedded data folder, readable by its owner only', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'roster-key-'))
    const config = { databaseUrl: undefined, dataDir, secret: undefined }
    const sealed = await openVault(config).encrypt('hello', 'ctx')
    const path = join(dataDir, KEY_FILE)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const key = await readFile(path, 'utf8')
    // Another process on the same folder reads the same key.
    expect(await openVault(config).decrypt(sealed, 'ctx')).toBe('hello')
    expect(await readFile(path, 'utf8')).toBe(key)
    await chmod(path, 0o644)
    await expect(openVault(config).decrypt(sealed, 'ctx')).rejects.toThrow(
      `must be readable by its owner only: run chmod 600 ${path}`,
    )
  })
})
