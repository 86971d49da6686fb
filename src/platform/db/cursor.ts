import { AppError } from '../errors.ts'

/** A keyset-paging cursor: the sort key and the id of the last row of a page, opaque to clients. */
export function encodeCursor(key: string, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url')
}

/** The key and id of a cursor this API gave out; `validKey` checks the key's form. */
export function decodeCursor(
  cursor: string,
  validKey: (key: string) => boolean = () => true,
): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      validKey(value[0]) &&
      typeof value[1] === 'string' &&
      /^[0-9a-f-]{36}$/.test(value[1])
    ) {
      return [value[0], value[1]]
    }
  } catch {
    // reported below
  }
  throw new AppError('validation_failed', 'The cursor is not one this API gave out.', [
    { path: 'cursor', message: 'Invalid cursor.' },
  ])
}
