import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from '../config.ts'
import { AppError } from '../errors.ts'

/**
 * Encrypts connection credentials at rest with AES-256-GCM. The key comes from ROSTER_SECRET
 * (a random string of 32 characters or more, stretched to 32 bytes with HKDF-SHA-256), or, for
 * the embedded store only, from a random key generated once into the data folder (owner-only).
 * Each value is bound to what it belongs to (`context`, e.g. the connection's id), so a
 * ciphertext copied onto another connection does not decrypt.
 */
export interface Vault {
  encrypt(plaintext: string, context: string): Promise<string>
  decrypt(ciphertext: string, context: string): Promise<string>
}

export const KEY_FILE = 'credentials.key'
const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16

export const missingSecret = (): AppError =>
  new AppError(
    'not_configured',
    'Roster cannot store credentials: set ROSTER_SECRET (a random string of at least 32 characters) in the server environment, then try again.',
  )

/** The 32-byte key of a ROSTER_SECRET; the salt and label only separate this use from others. */
export function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'roster', 'roster connection credentials v1', 32))
}

/** Reads the embedded store's key file, creating it (mode 0600) the first time. */
export async function embeddedKey(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, KEY_FILE)
  await mkdir(dataDir, { recursive: true })
  try {
    const handle = await open(path, 'wx', 0o600)
    try {
      await handle.writeFile(randomBytes(32).toString('base64') + '\n')
    } finally {
      await handle.close()
    }
    // The process umask cannot widen 0600, but an explicit chmod says what we mean.
    await chmod(path, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const info = await stat(path)
  if ((info.mode & 0o077) !== 0) {
    throw new Error(
      `${path} holds the key of the stored credentials and must be readable by its owner only: run chmod 600 ${path}.`,
    )
  }
  const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64')
  if (key.length !== 32) throw new Error(`${path} is not a Roster key file (32 bytes, base64).`)
  return key
}

export function openVault(config: Pick<Config, 'secret' | 'databaseUrl' | 'dataDir'>): Vault {
  let key: Promise<Buffer> | undefined
  const load = (): Promise<Buffer> => {
    key ??= config.secret
      ? Promise.resolve(deriveKey(config.secret))
      : config.databaseUrl
        ? Promise.reject(missingSecret())
        : embeddedKey(config.dataDir)
    // A failed load is tried again next time (the folder or the variable may be fixed).
    key.catch(() => {
      key = undefined
    })
    return key
  }
  return {
    async encrypt(plaintext, context) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', await load(), iv, { authTagLength: TAG_BYTES })
      cipher.setAAD(Buffer.from(context))
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return [VERSION, iv, cipher.getAuthTag(), body].map(encode).join('.')
    },
    async decrypt(ciphertext, context) {
      const [version, iv, tag, body] = ciphertext.split('.')
      if (version !== VERSION || !iv || !tag || body === undefined) {
        throw new Error('The stored credentials are not in a format this Roster reads.')
      }
      const decipher = createDecipheriv('aes-256-gcm', await load(), Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      })
      decipher.setAAD(Buffer.from(context))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      try {
        return Buffer.concat([
          decipher.update(Buffer.from(body, 'base64url')),
          decipher.final(),
        ]).toString('utf8')
      } catch {
        throw new CredentialsUnreadable()
      }
    },
  }
}

const encode = (part: string | Buffer): string =>
  typeof part === 'string' ? part : part.toString('base64url')

/** The key changed since the credentials were stored (or they were tampered with). */
export class CredentialsUnreadable extends Error {
  constructor() {
    super(
      'The stored credentials cannot be decrypted with the current key (was ROSTER_SECRET changed?): enter the credentials again to reconnect.',
    )
    this.name = 'CredentialsUnreadable'
  }
}
