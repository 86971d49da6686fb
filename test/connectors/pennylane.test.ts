import { describe } from 'vitest'
import { connectorConformance } from './conformance.ts'
import { connector, syncConformance, syncEnvironment } from './sync-conformance.ts'
import { pennylaneSpec, pennylaneSync } from './specs/pennylane.ts'

connectorConformance(pennylaneSpec)

const env = await syncEnvironment()
syncConformance(pennylaneSync, env)
void connector
void describe
