import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { newMember, newOrg, testStore } from '../support.ts'

// Each command starts a process that opens the store: seconds each, more while other test
// files run beside it.
vi.setConfig({ testTimeout: 120_000 })
const bin = new URL('../../bin/roster', import.meta.url).pathname
const store = await testStore()

function roster(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { env: process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    })
  })
}

async function file(name: string, content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-cli-import-'))
  const path = join(dir, name)
  await writeFile(path, content)
  return path
}

describe('roster import', () => {
  it('undoes an import once, and says why not the second time', async () => {
    const org = await newOrg(store)
    const path = await file('undo.csv', 'Customer name;City\nAlpha;Paris\nBeta;Lyon\n')
    const run = await roster('import', path, '--org', org.slug, '--json')
    expect(run.code).toBe(0)
    const { id } = JSON.parse(run.stdout) as { id: string }
    const undo = await roster('import', 'undo', id, '--org', org.slug, '--json')
    expect(undo.code, undo.stderr).toBe(0)
    expect(JSON.parse(undo.stdout)).toMatchObject({
      id,
      undo: {
        by: 'command line',
        customers: { removed: 2, restored: 0 },
        contacts: { removed: 0, restored: 0 },
        keptTotal: 0,
      },
    })
    const again = await roster('import', 'undo', id, '--org', org.slug)
    expect(again.code).not.toBe(0)
    expect(again.stderr).toMatch(
      /This import was already undone on \d{4}-\d{2}-\d{2} by command line\./,
    )
  })

  it('imports with the suggested mapping, prints JSON and exits 1 when a line is rejected', async () => {
    const org = await newOrg(store)
    const manager = await newMember(store, org, 'account_manager')
    const path = await file(
      'clients.csv',
      `External ID;Nom du client;Chargé de compte\nE1;Alpha;${manager.email}\nE2;Beta;ghost@example.com\n`,
    )
    const run = await roster('import', path, '--org', org.slug, '--json')
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toEqual({
      id: expect.any(String),
      status: 'completed',
      lines: 2,
      customers: { created: 1, updated: 0, unchanged: 0 },
      contacts: { created: 0, updated: 0, unchanged: 0 },
      rejected: [
        {
          line: 3,
          column: 'Chargé de compte',
          value: 'ghost@example.com',
          reason: 'Account manager not found; check the email.',
          problems: [
            {
              column: 'Chargé de compte',
              value: 'ghost@example.com',
              reason: 'Account manager not found; check the email.',
            },
          ],
        },
      ],
    })
    const again = await roster('import', path, '--org', org.slug, '--json', '--dry-run')
    expect(JSON.parse(again.stdout)).toMatchObject({
      status: 'dry_run',
      customers: { created: 0, updated: 0, unchanged: 1 },
    })
  })

  it('takes value maps, refuses an unknown role, and lists every problem of a line', async () => {
    const org = await newOrg(store)
    const path = await file(
      'contacts.csv',
      'Nom du client;Email du contact;Rôle\nA;a@a.fr;Compta\nB;b@b.fr;Trésorerie\nC;c@c.fr;Autre\nD;bad;Chef\n',
    )
    const refused = await roster(
      'import',
      path,
      '--org',
      org.slug,
      '--value-map',
      'Role:Trésorerie=TREASURER',
    )
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('"TREASURER" is not a role')
    const run = await roster(
      'import',
      path,
      '--org',
      org.slug,
      '--json',
      '--value-map',
      'Role:Trésorerie=payer',
      '--value-map',
      'Rôle:autre=',
    )
    expect(run.code).toBe(1)
    const result = JSON.parse(run.stdout)
    expect(result.customers).toEqual({ created: 3, updated: 0, unchanged: 0 })
    expect(result.rejected).toHaveLength(1)
    expect(result.rejected[0].problems.map((p: any) => [p.column, p.value])).toEqual([
      ['Email du contact', 'bad'],
      ['Rôle', 'Chef'],
    ])
    const text = await roster('import', path, '--org', org.slug, '--dry-run')
    expect(text.stdout).toContain('line 5, column "Email du contact", value "bad"')
    expect(text.stdout).toContain('line 5, column "Rôle", value "Chef"')
  })

  it('takes a mapping file, and exits 0 when every line applied', async () => {
    const org = await newOrg(store)
    const path = await file('x.csv', 'A|B|C\nAcme|acme@x.com|ignored\n')
    const mapping = await file(
      'mapping.json',
      JSON.stringify({ A: 'customer.name', B: 'contact.email', C: null }),
    )
    const run = await roster('import', path, '--org', org.slug, '--mapping', mapping)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Customers: 1 created, 0 updated, 0 unchanged')
    expect(run.stdout).toContain('Contacts: 1 created, 0 updated, 0 unchanged')
  })

  it('exits 2 when the file is refused or a required column is not mapped', async () => {
    const org = await newOrg(store)
    const empty = await roster('import', await file('e.csv', ''), '--org', org.slug)
    expect(empty.code).toBe(2)
    expect(empty.stderr).toBe('roster: The file is empty.\n')
    const unmapped = await file('u.csv', 'Something;Other\nA;B\n')
    const mapping = await file('m.json', JSON.stringify({ Something: 'contact.email' }))
    const run = await roster('import', unmapped, '--org', org.slug, '--mapping', mapping)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Map the required columns: Customer name.')
    const missing = await roster('import', `/nonexistent/${randomUUID()}.csv`, '--org', org.slug)
    expect(missing.code).toBe(2)
  })
})
