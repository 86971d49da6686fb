// Every system the shared suites drive, as the sync benchmark reads them: one line per system.
import type { ConnectorSpec, Fake } from '../conformance.ts'
import type { SyncSpec } from '../sync-conformance.ts'
import { chargebeeSpec, chargebeeSync } from './chargebee.ts'
import { netsuiteSpec, netsuiteSync } from './netsuite.ts'
import { quickbooksSpec, quickbooksSync } from './quickbooks.ts'
import { pennylaneSpec, pennylaneSync } from './pennylane.ts'
import { sellsySpec, sellsySync } from './sellsy.ts'
import { stripeSpec, stripeSync } from './stripe.ts'
import { xeroSpec, xeroSync } from './xero.ts'
import { zuoraSpec, zuoraSync } from './zuora.ts'

/** One system: how its connector is driven against its fake, and how the engine connects. */
export interface SystemSpecs {
  connector: ConnectorSpec<any, any, any>
  sync: SyncSpec<any>
}

export const systemSpecs: SystemSpecs[] = [
  { connector: chargebeeSpec, sync: chargebeeSync },
  { connector: netsuiteSpec, sync: netsuiteSync },
  { connector: quickbooksSpec, sync: quickbooksSync },
  { connector: pennylaneSpec, sync: pennylaneSync },
  { connector: sellsySpec, sync: sellsySync },
  { connector: stripeSpec, sync: stripeSync },
  { connector: xeroSpec, sync: xeroSync },
  { connector: zuoraSpec, sync: zuoraSync },
]

export type { Fake }
