import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { operationIdOf } from '../../src/platform/http/openapi.ts'
import { testApp, testStore } from '../support.ts'

const store = await testStore()
const app = await testApp(store)
const served = await app.inject({ url: '/api/openapi.json' })
const document = served.json<OpenAPI3>()

const folder = await mkdtemp(join(tmpdir(), 'roster-openapi-'))
afterAll(() => rm(folder, { recursive: true, force: true }))

/** A client as someone generating from the document would write it, with the generated types. */
const goodClient = `import type { operations, paths } from './api.ts'

type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never
type Customers = Json<operations['getCustomers']['responses'][200]>
type NewContact = NonNullable<operations['postCustomersByIdContacts']['requestBody']>['content']['application/json']
type Contact = Json<paths['/api/v1/contacts/{id}']['get']['responses'][200]>
type Failure = Json<operations['getContactsById']['responses'][404]>
type Erased = Json<operations['postContactsByIdErase']['responses'][200]>

export async function customerNames(base: string, key: string): Promise<string[]> {
  const response = await fetch(\`\${base}/api/v1/customers\`, {
    headers: { authorization: \`Bearer \${key}\` },
  })
  const page = (await response.json()) as Customers
  return page.data.map((customer) => customer.name)
}

export const contact: NewContact = { email: 'elodie@example.com', firstName: 'Élodie' }
export const email = (found: Contact): string | null => found.email
export const reason = (failure: Failure): string => failure.error.message
export const erasedFields = (erased: Erased): string[] => erased.fields
`

/** The same client misreading a response: the generated types must catch it. */
const badClient = `import type { operations } from './api.ts'

type Customers = operations['getCustomers']['responses'][200]['content']['application/json']
export const names = (page: Customers): number[] => page.data.map((customer) => customer.name)
`

describe('the API document', () => {
  it('names each operation from its method and path, stably', () => {
    expect(operationIdOf('post', '/api/v1/contacts/{id}/erase')).toBe('postContactsByIdErase')
    expect(operationIdOf('get', '/api/v1/organization/contact-source')).toBe(
      'getOrganizationContactSource',
    )
    expect(operationIdOf('post', '/webhooks/{system}/{connectionId}')).toBe(
      'postWebhooksBySystemByConnectionId',
    )
  })

  it("passes the linter's recommended rules without an error or a warning", async () => {
    expect(served.statusCode).toBe(200)
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })])
    const problems = await lintFromString({
      source: served.body,
      absoluteRef: join(folder, 'openapi.json'),
      config: await createConfig({ extends: ['recommended'] }),
    })
    expect(
      problems.map(
        (problem) =>
          `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer ?? '?'}`,
      ),
    ).toEqual([])
  })

  it('gives every operation an operationId, each one once', () => {
    const ids = Object.values(document.paths ?? {}).flatMap((item) =>
      Object.values(item).flatMap((operation: unknown) =>
        typeof operation === 'object' && operation && 'responses' in operation
          ? [(operation as { operationId?: string }).operationId]
          : [],
      ),
    )
    expect(ids.length).toBeGreaterThan(40)
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('generates TypeScript types a client type-checks against, and that catch a misread', async () => {
    await writeFile(join(folder, 'api.ts'), astToString(await openapiTS(document)))
    await writeFile(join(folder, 'client.ts'), goodClient)
    await writeFile(join(folder, 'misread.ts'), badClient)
    const program = ts.createProgram([join(folder, 'client.ts'), join(folder, 'misread.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      skipLibCheck: true,
    })
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => ({
      file: diagnostic.file ? diagnostic.file.fileName.slice(folder.length + 1) : '',
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    }))
    expect(problems.filter((problem) => problem.file !== 'misread.ts')).toEqual([])
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'misread.ts',
        message: expect.stringContaining("Type 'string' is not assignable to type 'number'"),
      }),
    ])
  })
})
