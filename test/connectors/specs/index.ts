// Every system the shared suites drive, as the sync benchmark reads them: one line per system.
import type { ConnectorSpec, Fake } from '../conformance.ts'
import type { SyncSpec } from '../sync-conformance.ts'
import { chargebeeSpec, chargebeeSync } from './chargebee.ts'
import { stripeSpec, stripeSync } from './stripe.ts'
import { zuoraSpec, zuoraSync } from './zuora.ts'

/** One system: how its connector is driven against its fake, and how the engine connects. */
export interface SystemSpecs {
  connector: ConnectorSpec<any, any, any>
  sync: SyncSpec<any>
}

export const systemSpecs: SystemSpecs[] = [
  { connector: chargebeeSpec, sync: chargebeeSync },
  { connector: stripeSpec, sync: stripeSync },
  { connector: zuoraSpec, sync: zuoraSync },
]

export type { Fake }
