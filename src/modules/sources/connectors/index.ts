import { AppError } from '../../../platform/errors.ts'
import { systemNames, type SourceSystem } from '../systems.ts'
import { chargebeeConnector } from './chargebee/index.ts'
import { stripeConnector } from './stripe/index.ts'
import type { Connector } from './types.ts'

/** The connector of each system Roster can sync: one line per system. */
const connectors: Partial<Record<SourceSystem, Connector>> = {
  chargebee: chargebeeConnector,
  stripe: stripeConnector,
}

// Tests stand in for an external system with a scripted connector (test/sources/).
const overrides = new Map<SourceSystem, Connector>()

export function connectorFor(system: SourceSystem): Connector {
  const connector = overrides.get(system) ?? connectors[system]
  if (!connector) {
    throw new AppError(
      'validation_failed',
      `Roster cannot connect to ${systemNames[system]} yet; it will come in a later version.`,
      [{ path: 'system', message: 'Not available yet.' }],
    )
  }
  return connector
}

/** Test seam: makes `connector` answer for `system` in this process (undefined restores it). */
export function overrideConnector(system: SourceSystem, connector: Connector | undefined): void {
  if (connector) overrides.set(system, connector)
  else overrides.delete(system)
}
