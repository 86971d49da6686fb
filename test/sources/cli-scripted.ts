import { readFileSync } from 'node:fs'
import { runCli } from '../../src/cli/main.ts'
import { ScriptedSource, scriptedConnectors, type Script } from './scripted.ts'

/**
 * The command line as the CLI tests start it: the scripted source described by the JSON file in
 * ROSTER_TEST_SOURCE answers for Stripe and Chargebee, given to the commands as their connectors.
 */
const path = process.env.ROSTER_TEST_SOURCE
if (path) new ScriptedSource(JSON.parse(readFileSync(path, 'utf8')) as Script)
await runCli({ connectors: scriptedConnectors('stripe', 'chargebee') })
