import type { sourceSystem } from '../../platform/db/schema/index.ts'

export type SourceSystem = (typeof sourceSystem.enumValues)[number]

export const systemNames: Record<SourceSystem, string> = {
  chargebee: 'Chargebee',
  netsuite: 'NetSuite',
  pennylane: 'Pennylane',
  quickbooks: 'QuickBooks',
  salesforce: 'Salesforce',
  sellsy: 'Sellsy',
  stripe: 'Stripe',
  xero: 'Xero',
  zuora: 'Zuora',
}

/** The system of a record's `source` as the API shows it ('roster' or a system). */
export function sourceSystemOf(source: string): SourceSystem | null {
  return Object.hasOwn(systemNames, source) ? (source as SourceSystem) : null
}
