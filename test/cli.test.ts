import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Papa from 'papaparse'
import { describe, expect, it, vi } from 'vitest'
import { client, json, testApp, testStore } from './support.ts'

// Each command starts a process that opens the store: seconds each, more while other test
// files run beside it.
vi.setConfig({ testTimeout: 120_000 })
const bin = new URL('../bin/roster', import.meta.url).pathname

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs bin/roster against the test run's database (its environment says where). */
function roster(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(bin, args, { env: process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    })
  })
}

async function ok(...args: string[]): Promise<string> {
  const run = await roster(...args)
  if (run.code !== 0) throw new Error(`roster ${args.join(' ')} failed: ${run.stderr}`)
  return run.stdout
}

const uniqueSlug = (): string => `cli-${randomUUID().slice(0, 8)}`

describe('roster CLI', () => {
  it('creates an organisation, a member, a workflow and an API key that works', async () => {
    const slug = uniqueSlug()
    const org = JSON.parse(
      await ok('org', 'create', 'Cli Test SA', '--slug', slug, '--country', 'France', '--json'),
    )
    expect(org).toEqual({ id: expect.any(String), slug })
    const member = JSON.parse(
      await ok(
        'member',
        'add',
        '--org',
        slug,
        '--email',
        'am@cli.co',
        '--role',
        'account_manager',
        '--json',
      ),
    )
    expect(member).toMatchObject({ email: 'am@cli.co', role: 'account_manager' })
    const workflow = JSON.parse(
      await ok('workflow', 'add', '--org', org.id as string, '--name', 'Gentle', '--json'),
    )
    expect(workflow).toMatchObject({ name: 'Gentle' })
    const { key } = JSON.parse(await ok('api-key', 'create', '--org', slug, '--json'))
    expect(key).toMatch(/^rst_/)

    const app = await testApp(await testStore())
    const api = client(app, key as string)
    const created = await api.post('/api/v1/customers', {
      name: 'Client, "quoted"',
      accountManagers: ['am@cli.co'],
      workflow: 'Gentle',
      city: '=cmd',
    })
    expect(created.statusCode).toBe(201)
    const id = json(created).id as string
    await api.post(`/api/v1/customers/${id}/contacts`, {
      email: 'ap@client.co',
      firstName: 'Zoé',
      phone: '06 12 34 56 78',
      role: 'payer',
      isMain: true,
    })
    await api.post(`/api/v1/customers/${id}/contacts`, { email: 'sales@client.co', role: 'sales' })
    await api.post('/api/v1/customers', { name: 'No contacts' })

    const exported = JSON.parse(await ok('export', '--org', slug))
    expect(exported).toHaveLength(2)
    expect(exported[0]).toEqual({
      id,
      name: 'Client, "quoted"',
      externalId: null,
      accountingCode: null,
      vatNumber: null,
      address: null,
      postalCode: null,
      city: '=cmd',
      country: null,
      group: null,
      accountManagers: ['am@cli.co'],
      workflow: 'Gentle',
      source: 'roster',
      contacts: [
        expect.objectContaining({
          email: 'ap@client.co',
          phone: '+33612345678',
          role: 'PAYER',
          isMain: true,
        }),
        expect.objectContaining({
          email: 'sales@client.co',
          role: 'SALES',
          isMain: false,
          source: 'roster',
        }),
      ],
    })
    expect(exported[1]).toMatchObject({ name: 'No contacts', contacts: [] })

    const out = join(await mkdtemp(join(tmpdir(), 'roster-cli-')), 'export.csv')
    await ok('export', '--org', slug, '--format', 'csv', '--out', out)
    const text = (await readFile(out, 'utf8')).replace(/^\uFEFF/, '')
    const rows = Papa.parse<string[]>(text.trim()).data
    expect(rows).toHaveLength(4)
    expect(rows[0]).toContain('Contact email')
    expect(rows[1]?.[1]).toBe('Client, "quoted"')
    expect(rows[1]).toContain("'=cmd")
    expect(rows[1]).toContain("'+33612345678")
    expect(rows[3]?.[1]).toBe('No contacts')
  })

  it('exits non-zero with a one-line reason', async () => {
    const slug = uniqueSlug()
    await ok('org', 'create', 'Dup', '--slug', slug)
    const dup = await roster('org', 'create', 'Dup', '--slug', slug)
    expect(dup.code).not.toBe(0)
    expect(dup.stderr.trim().split('\n')).toHaveLength(1)
    expect(dup.stderr).toContain('already exists')

    const unknownOrg = await roster('member', 'add', '--org', 'no-such-org', '--email', 'a@b.co')
    expect(unknownOrg.code).not.toBe(0)
    expect(unknownOrg.stderr).toContain('Organisation "no-such-org" not found')

    const badRole = await roster(
      'member',
      'add',
      '--org',
      slug,
      '--email',
      'a@b.co',
      '--role',
      'king',
    )
    expect(badRole.code).not.toBe(0)
    expect(badRole.stderr).toContain('--role')

    const badFormat = await roster('export', '--org', slug, '--format', 'xml')
    expect(badFormat.code).not.toBe(0)
    expect(badFormat.stderr).toContain('json, csv or xlsx')
  })
})
