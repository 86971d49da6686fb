import { readFileSync } from 'node:fs'
import { ScriptedSource, useScriptedConnector, type Script } from './scripted.ts'

/**
 * Loaded with `node --import` into the CLI processes the CLI tests start: the scripted source
 * described by the JSON file in ROSTER_TEST_SOURCE answers for Stripe and Chargebee there.
 */
const path = process.env.ROSTER_TEST_SOURCE
if (path) {
  new ScriptedSource(JSON.parse(readFileSync(path, 'utf8')) as Script)
  useScriptedConnector('stripe', 'chargebee')
}
