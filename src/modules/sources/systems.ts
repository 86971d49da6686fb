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
