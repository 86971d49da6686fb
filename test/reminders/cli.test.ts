import { execFile } from 'node:child_process'
import { describe, expect, it, vi } from 'vitest'
import { client, json, newOrg, testApp, testStore } from '../support.ts'
import { header, startSmtp } from './smtp.ts'

// Each command starts a process that opens the store: seconds each.
vi.setConfig({ testTimeout: 300_000 })
const bin = new URL('../../bin/roster', import.meta.url).pathname
const store = await testStore()
const app = await testApp(store)
const smtp = await startSmtp()

function roster(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      { env: { ...process.env, SMTP_URL: smtp.url, ROSTER_MAIL_FROM: 'AR <ar@acme.test>' } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}

describe('roster reminder send', () => {
  it('sends a step by name to a customer found by its customer ID, to the addresses given', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    await api.post('/api/v1/workflows', {
      name: 'Standard',
      steps: [
        {
          name: 'First reminder',
          delayDays: 0,
          subject: 'Invoices of {{customer.name}}',
          body: 'Please pay.',
          to: ['ACCOUNTING'],
          cc: [],
        },
      ],
    })
    const { id } = json(
      await api.post('/api/v1/customers', {
        name: 'Initech',
        externalId: 'CUS-42',
        workflow: 'Standard',
      }),
    )
    await api.post(`/api/v1/customers/${id as string}/contacts`, {
      email: 'boss@initech.test',
      isMain: true,
    })

    const run = await roster(
      'reminder',
      'send',
      '--org',
      org.slug,
      '--customer',
      'CUS-42',
      '--step',
      'first reminder',
      '--to',
      'ap@initech.test',
      '--cc',
      'boss@initech.test',
      '--json',
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const reminder = JSON.parse(run.stdout)
    expect(reminder).toMatchObject({
      status: 'sent',
      stepName: 'First reminder',
      to: [{ email: 'ap@initech.test', contactId: null }],
      cc: [{ email: 'boss@initech.test' }],
    })
    const mail = smtp.mails.find((m) => m.raw.includes(reminder.id as string))
    expect(header(mail?.raw ?? '', 'Subject')).toBe('Invoices of Initech')
    expect(mail?.to.sort()).toEqual(['ap@initech.test', 'boss@initech.test'])

    // Without --to, the step's recipients: no Accounting contact, so the main contact.
    const plain = await roster(
      'reminder',
      'send',
      '--org',
      org.slug,
      '--customer',
      id as string,
      '--step',
      'First reminder',
    )
    expect(plain.code).toBe(0)
    expect(plain.stdout).toMatch(/^Sent "First reminder" to boss@initech\.test \(reminder /)

    const unknown = await roster(
      'reminder',
      'send',
      '--org',
      org.slug,
      '--customer',
      'CUS-42',
      '--step',
      'Nope',
    )
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe('roster: No reminder step is named "Nope".\n')
    const badEmail = await roster(
      'reminder',
      'send',
      '--org',
      org.slug,
      '--customer',
      'CUS-42',
      '--step',
      'First reminder',
      '--to',
      'nobody',
    )
    expect(badEmail.code).toBe(1)
    expect(badEmail.stderr).toContain('Enter a valid email address')
  })
})
