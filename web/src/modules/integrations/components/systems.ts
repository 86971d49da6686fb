import { sourceNames } from '@contracts/customers.ts'
import { sourceSystems } from '@contracts/customers.ts'
import type { ConnectorDescriptor } from '../api/integrations.ts'

export type SourceSystem = (typeof sourceSystems)[number]

export const systemName = (system: SourceSystem): string => sourceNames[system]

/** Every system, those the server has a connector for first; the others come later. */
export function systemOptions(connectors: readonly ConnectorDescriptor[]) {
  const connectable = (system: SourceSystem): boolean =>
    connectors.some((connector) => connector.system === system)
  return [...sourceSystems]
    .sort((a, b) => Number(connectable(b)) - Number(connectable(a)))
    .map((value) => {
      const available = connectable(value)
      return {
        value,
        label: available ? systemName(value) : `${systemName(value)} (coming later)`,
        disabled: !available,
      }
    })
}

/** What a person typed in a connector's fields, by key. */
export type FieldValues = Record<string, string>

/**
 * The values as the system's connector reads them: its own fields only (another system's, typed
 * before switching, are dropped), trimmed, empty ones left out.
 */
export function filledValues(
  fields: readonly { key: string }[],
  values: FieldValues,
): Record<string, string> {
  return Object.fromEntries(
    fields
      .map(({ key }): [string, string] => [key, (values[key] ?? '').trim()])
      .filter(([, value]) => value !== ''),
  )
}

/** A connection as a person reads it: its name, and its system when the name does not say it. */
export function connectionLabel(connection: { name: string; system: SourceSystem }): string {
  const system = systemName(connection.system)
  return connection.name === system ? system : `${connection.name} (${system})`
}
