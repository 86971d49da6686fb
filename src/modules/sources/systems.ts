import { sourceNames, sourceSystems } from '../../contracts/customers.ts'

export type SourceSystem = (typeof sourceSystems)[number]

/** Each system's name as people read it: the contracts' list, the one place names are written. */
export const systemNames: Record<SourceSystem, string> = sourceNames

/** The system of a record's `source` as the API shows it ('roster' or a system). */
export function sourceSystemOf(source: string): SourceSystem | null {
  return (sourceSystems as readonly string[]).includes(source) ? (source as SourceSystem) : null
}
