import type { ConnectorDescriptor } from '../../../contracts/sources.ts'
import { AppError } from '../../../platform/errors.ts'
import { systemNames, type SourceSystem } from '../systems.ts'
import { chargebeeConnector } from './chargebee/index.ts'
import { netsuiteConnector } from './netsuite/index.ts'
import { quickbooksConnector } from './quickbooks/index.ts'
import { pennylaneConnector } from './pennylane/index.ts'
import { salesforceConnector } from './salesforce/index.ts'
import { sellsyConnector } from './sellsy/index.ts'
import { stripeConnector } from './stripe/index.ts'
import { xeroConnector } from './xero/index.ts'
import type { Connector } from './types.ts'
import { zuoraConnector } from './zuora/index.ts'

/** The connector of each system Roster can sync. */
export type Connectors = Partial<Record<SourceSystem, Connector>>

/** Roster's connectors: one line per system. */
export const connectors: Connectors = {
  chargebee: chargebeeConnector,
  netsuite: netsuiteConnector,
  quickbooks: quickbooksConnector,
  pennylane: pennylaneConnector,
  salesforce: salesforceConnector,
  sellsy: sellsyConnector,
  stripe: stripeConnector,
  xero: xeroConnector,
  zuora: zuoraConnector,
}

/**
 * The connector of `system` in the registry the caller was given (the engine, routes, jobs and
 * CLI get theirs through their deps; tests pass one with scripted connectors).
 */
export function connectorFor(registry: Connectors, system: SourceSystem): Connector {
  const connector = registry[system]
  if (!connector) {
    throw new AppError(
      'validation_failed',
      `Roster cannot connect to ${systemNames[system]} yet; it will come in a later version.`,
      [{ path: 'system', message: 'Not available yet.' }],
    )
  }
  return connector
}

/** What each connector declares about itself, in the systems' order. */
export function descriptorsOf(registry: Connectors): ConnectorDescriptor[] {
  return Object.values(registry)
    .map((connector) => connector.descriptor)
    .sort((a, b) => a.label.localeCompare(b.label))
}

/** The request headers that carry a webhook's proof, hidden from the logs. */
export const webhookHeaders = (registry: Connectors = connectors): string[] => [
  ...new Set(
    descriptorsOf(registry).flatMap(({ webhookHeader }) =>
      webhookHeader === null ? [] : [webhookHeader.toLowerCase()],
    ),
  ),
]
