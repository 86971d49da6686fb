import type { Connectors } from '../modules/sources/connectors/index.ts'
import { loadConfig } from '../platform/config.ts'
import { openStore, type Store } from '../platform/db/client.ts'
import { withoutValues } from '../platform/db/errors.ts'
import { AppError } from '../platform/errors.ts'

/** What the commands that reach a connected system are given (tests give scripted connectors). */
export interface CliDeps {
  connectors: Connectors
}

/** Opens the store for one command and closes it afterwards, whatever happens. */
export async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig())
  try {
    return await run(store)
  } finally {
    await store.close()
  }
}

export function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`)
}

/** Every command reports a failure as one line on stderr and a non-zero exit code. */
export function fail(failure: unknown, exitCode = 1): never {
  const error = withoutValues(failure)
  const message =
    error instanceof AppError
      ? [
          error.message,
          ...error.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)),
        ]
          .filter((line, index, all) => all.indexOf(line) === index)
          .join(' ')
      : error instanceof Error
        ? error.message
        : String(error)
  process.stderr.write(`roster: ${message.replace(/\s+/g, ' ')}\n`)
  process.exit(exitCode)
}
