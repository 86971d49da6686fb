import { execFile } from 'node:child_process'
import { describe, expect, it, vi } from 'vitest'
import { client, json, newOrg, testApp, testStore } from '../support.ts'

// Each command starts a process that opens the store: seconds each.
vi.setConfig({ testTimeout: 120_000 })
const bin = new URL('../../bin/roster', import.meta.url).pathname

function roster(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { env: process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    })
  })
}

const store = await testStore()
const app = await testApp(store)

describe('roster webhook', () => {
  it('adds an endpoint with its secret shown once, lists it and its deliveries, refuses bad ones', async () => {
    const org = await newOrg(store)
    const unknown = await roster(
      'webhook',
      'add',
      '--org',
      org.slug,
      '--url',
      'https://8.8.8.8/x',
      '--event',
      'invoice.paid',
    )
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toContain('Unknown event')
    const inside = await roster(
      'webhook',
      'add',
      '--org',
      org.slug,
      '--url',
      'https://10.0.0.1/x',
      '--event',
      'customer.created',
    )
    expect(inside.code).not.toBe(0)
    expect(inside.stderr).toContain('inside the network')

    const ip = JSON.parse(
      (
        await roster(
          'webhook',
          'add',
          '--org',
          org.slug,
          '--url',
          'https://8.8.8.8/hooks',
          '--event',
          'customer.created',
          '--json',
        )
      ).stdout,
    )
    expect(ip.secret).toMatch(/^whsec_/)
    const listed = JSON.parse((await roster('webhook', 'list', '--org', org.slug, '--json')).stdout)
    expect(listed.map((e: any) => e.url)).toContain('https://8.8.8.8/hooks')
    expect(listed.every((e: any) => e.secret === undefined)).toBe(true)

    await client(app, org.key).post('/api/v1/customers', { name: 'Acme' })
    const log = JSON.parse(
      (await roster('webhook', 'deliveries', '--org', org.slug, '--endpoint', ip.id, '--json'))
        .stdout,
    )
    expect(log).toMatchObject([{ eventType: 'customer.created', status: 'pending' }])
    const replayed = JSON.parse(
      (
        await roster(
          'webhook',
          'replay',
          '--org',
          org.slug,
          '--endpoint',
          ip.id,
          '--delivery',
          log[0].id,
          '--json',
        )
      ).stdout,
    )
    expect(replayed.replayOf).toBe(log[0].id)
    const after = json(
      await client(app, org.key).get(`/api/v1/webhook-endpoints/${ip.id as string}/deliveries`),
    )
    expect(after.data).toHaveLength(2)
  })
})
