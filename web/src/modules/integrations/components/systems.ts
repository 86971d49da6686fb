import { sourceNames } from '@contracts/customers.ts'
import { sourceSystems } from '@contracts/customers.ts'

export type SourceSystem = (typeof sourceSystems)[number]

/** The systems the server has a connector for; the others are listed as coming later. */
export const connectableSystems: readonly SourceSystem[] = ['stripe', 'chargebee']

export const systemName = (system: SourceSystem): string => sourceNames[system]

export const systemOptions = [...sourceSystems]
  .sort((a, b) => Number(connectableSystems.includes(b)) - Number(connectableSystems.includes(a)))
  .map((value) => {
    const available = connectableSystems.includes(value)
    return {
      value,
      label: available ? systemName(value) : `${systemName(value)} (coming later)`,
      disabled: !available,
    }
  })

/** The secrets a system accepts besides its API key: how it signs its webhooks. */
export interface SecretValues {
  apiKey: string
  webhookSecret: string
  webhookUsername: string
  webhookPassword: string
}

export const blankSecrets: SecretValues = {
  apiKey: '',
  webhookSecret: '',
  webhookUsername: '',
  webhookPassword: '',
}

/** The secrets as the system's connector reads them: empty optional fields left out. */
export function secretsOf(system: SourceSystem, values: SecretValues): Record<string, string> {
  const kept = (entries: [string, string][]): Record<string, string> =>
    Object.fromEntries(
      entries.map(([k, v]): [string, string] => [k, v.trim()]).filter(([, v]) => v !== ''),
    )
  if (system === 'chargebee') {
    return kept([
      ['apiKey', values.apiKey],
      ['webhookUsername', values.webhookUsername],
      ['webhookPassword', values.webhookPassword],
    ])
  }
  return kept([
    ['apiKey', values.apiKey],
    ['webhookSecret', values.webhookSecret],
  ])
}

/** A connection as a person reads it: its name, and its system when the name does not say it. */
export function connectionLabel(connection: { name: string; system: SourceSystem }): string {
  const system = systemName(connection.system)
  return connection.name === system ? system : `${connection.name} (${system})`
}
