import { execFile } from 'node:child_process'
import { describe, expect, it, vi } from 'vitest'
import { client, json, newOrg, testApp, testStore } from './support.ts'

// Each command starts a process that opens the store: seconds each.
vi.setConfig({ testTimeout: 120_000 })
const bin = new URL('../bin/roster', import.meta.url).pathname

function roster(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { env: process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    })
  })
}

const store = await testStore()
const app = await testApp(store)

describe('roster contact', () => {
  it("prints a contact's personal data, erases it, and refuses to erase it twice", async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    const customer = json(await api.post('/api/v1/customers', { name: 'Durand Frères' }))
    const contact = json(
      await api.post(`/api/v1/customers/${customer.id}/contacts`, {
        email: 'elodie.durand@durand.example',
        firstName: 'Élodie',
      }),
    )

    const shown = await roster('contact', 'personal-data', '--org', org.slug, '--id', contact.id)
    expect(shown.code, shown.stderr).toBe(0)
    expect(JSON.parse(shown.stdout)).toMatchObject({
      contact: { email: 'elodie.durand@durand.example', firstName: 'Élodie' },
      history: [expect.objectContaining({ action: 'create' })],
    })

    const erased = await roster('contact', 'erase', '--org', org.slug, '--id', contact.id, '--json')
    expect(erased.code, erased.stderr).toBe(0)
    expect(JSON.parse(erased.stdout)).toMatchObject({
      id: contact.id,
      fields: ['email', 'firstName'],
    })
    const after = await roster('contact', 'personal-data', '--org', org.slug, '--id', contact.id)
    expect(after.stdout).not.toMatch(/elodie|Élodie/i)

    const again = await roster('contact', 'erase', '--org', org.slug, '--id', contact.id)
    expect(again.code).not.toBe(0)
    expect(again.stderr).toContain('already erased')
    const bad = await roster('contact', 'erase', '--org', org.slug, '--id', 'not-an-id')
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/id/i)
  })
})
