import { sourceNames, sourceSystems } from '../../contracts/customers.ts'
import type { sourceSystem } from '../../platform/db/schema/index.ts'

export type SourceSystem = (typeof sourceSystem.enumValues)[number]

export const systemNames: Record<SourceSystem, string> = sourceNames

/** The system of a record's `source` as the API shows it ('roster' or a system). */
export function sourceSystemOf(source: string): SourceSystem | null {
  return (sourceSystems as readonly string[]).includes(source) ? (source as SourceSystem) : null
}
