import { describe } from 'vitest'
import { connectorConformance } from './conformance.ts'
import { syncConformance, syncEnvironment } from './sync-conformance.ts'
import { quickbooksSpec, quickbooksSync } from './specs/quickbooks.ts'

connectorConformance(quickbooksSpec)

const env = await syncEnvironment()
syncConformance(quickbooksSync, env)
describe.skip('later', () => undefined)
