import { execFile } from 'node:child_process'
import { describe, expect, it, vi } from 'vitest'
import { invitations } from '../src/platform/db/schema/index.ts'
import { eq } from 'drizzle-orm'
import { client, json, newMember, newOrg, testApp, testStore } from './support.ts'

// Each command starts a process that opens the store: seconds each.
vi.setConfig({ testTimeout: 120_000 })
const bin = new URL('../bin/roster', import.meta.url).pathname
const store = await testStore()
const app = await testApp(store)

function roster(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { env: process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    })
  })
}

describe('roster member', () => {
  it('invites, changes a role, keeps the last admin and removes a member', async () => {
    const org = await newOrg(store)
    const admin = await newMember(store, org, 'admin')
    const manager = await newMember(store, org, 'account_manager')
    await client(app, org.key).post('/api/v1/customers', {
      name: 'Acme',
      accountManagers: [manager.email],
    })

    const email = `new.${org.slug}@example.com`
    const invited = await roster('member', 'invite', '--org', org.slug, '--email', email)
    expect(invited.stderr).toBe('')
    expect(invited.stdout).toContain(`Invited ${email} as member`)
    const pending = await store.db
      .select({ email: invitations.email })
      .from(invitations)
      .where(eq(invitations.organizationId, org.id))
    expect(pending).toEqual([{ email }])
    const twice = await roster('member', 'invite', '--org', org.slug, '--email', admin.email)
    expect(twice.code).not.toBe(0)
    expect(twice.stderr).toContain('is already a member of this organisation')

    const lastAdmin = await roster(
      'member',
      'role',
      '--org',
      org.slug,
      '--email',
      admin.email,
      '--role',
      'member',
    )
    expect(lastAdmin.code).not.toBe(0)
    expect(lastAdmin.stderr).toContain("is the organisation's last admin")
    const promoted = await roster(
      'member',
      'role',
      '--org',
      org.id,
      '--email',
      manager.email.toUpperCase(),
      '--role',
      'admin',
      '--json',
    )
    expect(JSON.parse(promoted.stdout)).toMatchObject({ email: manager.email, role: 'admin' })

    const removed = await roster('member', 'remove', '--org', org.slug, '--email', manager.email)
    expect(removed.stderr).toBe('')
    expect(removed.stdout).toContain(`Removed ${manager.email}`)
    expect(removed.stdout).toContain('Give these customers another account manager: Acme.')
    const left = json(await client(app, org.key).get('/api/v1/members')).data
    expect(left.map((m: { email: string }) => m.email)).toEqual([admin.email])
  })
})
