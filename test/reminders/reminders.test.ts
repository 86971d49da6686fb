import { eq } from 'drizzle-orm'
import { createTransport } from 'nodemailer'
import { describe, expect, it } from 'vitest'
import { startRuntime } from '../../src/app/runtime.ts'
import { demoWorkflows } from '../../src/modules/organizations/demo.ts'
import {
  sendReminder,
  unconfirmedReason,
  type SendReminderData,
} from '../../src/modules/reminders/reminders.job.ts'
import { addWorkflow } from '../../src/modules/workflows/workflows.service.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { connections, customers, organizations } from '../../src/platform/db/schema/index.ts'
import { client, json, newOrg, testApp, testQueue, testStore, type Client } from '../support.ts'
import { deliveryReport, header, startSmtp } from './smtp.ts'

const store = await testStore()
const app = await testApp(store)
const queue = await testQueue(store)
const smtp = await startSmtp()
const config = loadConfig({
  ...process.env,
  SMTP_URL: smtp.url,
  ROSTER_MAIL_FROM: 'Acme AR <ar@acme.test>',
  ROSTER_BOUNCE_ADDRESS: 'bounces@acme.test',
})
const deps = { db: store.db, config }

const step = {
  name: 'First reminder',
  delayDays: 7,
  subject: 'Overdue invoices – {{customer.name}}',
  body: 'Hello {{contact.firstName}},\nplease pay.\n{{member.name}}',
  to: ['ACCOUNTING'],
  cc: ['main', 'SALES'],
}

interface Setup {
  api: Client
  orgId: string
  customerId: string
  stepId: string
  contact: Record<string, string>
}

/** An organisation with a one-step workflow and a customer with contacts of the given roles. */
async function setup(
  people: { email: string; role?: string; isMain?: boolean; firstName?: string }[],
  stepOverride: Partial<typeof step> = {},
): Promise<Setup> {
  const org = await newOrg(store)
  const api = client(app, org.key)
  const wf = json(
    await api.post('/api/v1/workflows', {
      name: 'Standard',
      steps: [{ ...step, ...stepOverride }],
    }),
  )
  const { id: customerId } = json(
    await api.post('/api/v1/customers', { name: 'Globex', workflow: 'Standard' }),
  )
  const contact: Record<string, string> = {}
  for (const person of people) {
    const res = await api.post(`/api/v1/customers/${customerId as string}/contacts`, person)
    expect(res.statusCode).toBe(201)
    contact[person.email] = json(res).id as string
  }
  return { api, orgId: org.id, customerId, stepId: wf.steps[0].id as string, contact }
}

const draft = async (s: Setup) =>
  s.api.get(`/api/v1/customers/${s.customerId}/reminders/draft?step=${s.stepId}`)
const emails = (list: { email: string }[]) => list.map((r) => r.email)

const queued = (orgId: string) =>
  queue.boss.findJobs<SendReminderData>(sendReminder.name, {
    data: { organizationId: orgId },
    queued: true,
  })

/** Runs the organisation's queued sends once each, as a worker would (attempt `retryCount`). */
async function runSends(orgId: string, retryCount = 0) {
  const jobs = await queued(orgId)
  const outcomes: unknown[] = []
  for (const job of jobs) {
    outcomes.push(
      await sendReminder.handle(deps, job.data, { ...job, retryCount }).catch((e: unknown) => e),
    )
  }
  return outcomes
}

const clearQueued = async (orgId: string) => {
  const jobs = await queued(orgId)
  if (jobs.length > 0)
    await queue.boss.deleteJob(
      sendReminder.name,
      jobs.map((j) => j.id),
    )
}

describe('resolving a reminder’s recipients', () => {
  it('sends to the role’s contacts, copies the main contact, and falls back when a role has nobody', async () => {
    const s = await setup([
      { email: 'boss@globex.test', isMain: true, firstName: 'Hank' },
      { email: 'ap@globex.test', role: 'ACCOUNTING', firstName: 'Ann' },
      { email: 'ap2@globex.test', role: 'ACCOUNTING' },
    ])
    const res = await draft(s)
    expect(res.statusCode).toBe(200)
    const body = json(res)
    expect(emails(body.to)).toEqual(['ap@globex.test', 'ap2@globex.test'])
    expect(body.to[0]).toMatchObject({
      contactId: s.contact['ap@globex.test'],
      role: 'ACCOUNTING',
      reason: 'role',
      why: 'Accounting contact',
    })
    // Main in Cc; Sales has nobody and falls back to the main contact, already in Cc.
    expect(emails(body.cc)).toEqual(['boss@globex.test'])
    expect(body.warnings).toEqual(['No Sales contact: sent to the main contact.'])
    expect(body.subject).toBe('Overdue invoices – Globex')
    expect(body.body).toContain('Hello Ann,')
    expect(body.reachable).toBe(true)
  })

  it('falls back to the main contact in To, and never puts an email in both To and Cc', async () => {
    const s = await setup([{ email: 'boss@globex.test', isMain: true }])
    const body = json(await draft(s))
    expect(body.to).toEqual([
      expect.objectContaining({
        email: 'boss@globex.test',
        reason: 'fallback_main',
        why: 'No Accounting contact: main contact',
      }),
    ])
    expect(body.cc).toEqual([])
    expect(body.warnings).toContain('No Accounting contact: sent to the main contact.')
  })

  it('passes over a contact who opted out, and reports a customer nobody can receive', async () => {
    const s = await setup([
      { email: 'boss@globex.test', isMain: true },
      { email: 'ap@globex.test', role: 'ACCOUNTING' },
    ])
    for (const email of ['boss@globex.test', 'ap@globex.test']) {
      const res = await s.api.put(`/api/v1/contacts/${s.contact[email] ?? ''}/do-not-remind`, {
        doNotRemind: true,
      })
      expect(res.statusCode).toBe(204)
    }
    expect(
      json(await s.api.get(`/api/v1/contacts/${s.contact['ap@globex.test'] ?? ''}`)),
    ).toMatchObject({
      doNotRemind: true,
    })
    const body = json(await draft(s))
    expect(body.to).toEqual([])
    expect(body.reachable).toBe(false)
    expect(body.warnings.join(' ')).toContain('Nobody can receive this reminder')
    const send = await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, {
      step: s.stepId,
    })
    expect(send.statusCode).toBe(400)
    expect(json(send).error.message).toContain('Nobody can receive this reminder')
    // Nor can the member choose an opted-out contact by hand.
    const chosen = await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, {
      step: s.stepId,
      to: [{ contactId: s.contact['ap@globex.test'] }],
    })
    expect(chosen.statusCode).toBe(400)
    expect(json(chosen).error.message).toContain('ap@globex.test is marked "do not send reminders"')
    const resumed = await s.api.put(
      `/api/v1/contacts/${s.contact['ap@globex.test'] ?? ''}/do-not-remind`,
      { doNotRemind: false },
    )
    expect(resumed.statusCode).toBe(204)
    expect(emails(json(await draft(s)).to)).toEqual(['ap@globex.test'])
    const history = json(await s.api.get(`/api/v1/customers/${s.customerId}/history`))
    expect(history.data[0]).toMatchObject({
      entity: 'contact',
      entityId: s.contact['ap@globex.test'],
      action: 'update',
      before: { email: 'ap@globex.test', doNotRemind: true },
      after: { email: 'ap@globex.test', doNotRemind: false },
    })
    const foreign = await s.api.put(
      '/api/v1/contacts/00000000-0000-4000-8000-000000000000/do-not-remind',
      { doNotRemind: true },
    )
    expect(foreign.statusCode).toBe(404)
  })

  it('refuses an unknown step, another organisation’s step and another organisation’s customer', async () => {
    const s = await setup([{ email: 'boss@globex.test', isMain: true }])
    const other = await setup([{ email: 'x@other.test', isMain: true }])
    const unknown = await s.api.get(
      `/api/v1/customers/${s.customerId}/reminders/draft?step=00000000-0000-4000-8000-000000000000`,
    )
    expect(unknown.statusCode).toBe(400)
    expect(json(unknown).error.message).toContain('Unknown reminder step')
    const foreignStep = await s.api.get(
      `/api/v1/customers/${s.customerId}/reminders/draft?step=${other.stepId}`,
    )
    expect(foreignStep.statusCode).toBe(400)
    const foreignCustomer = await s.api.get(
      `/api/v1/customers/${other.customerId}/reminders/draft?step=${s.stepId}`,
    )
    expect(foreignCustomer.statusCode).toBe(404)
    expect(
      (await s.api.get(`/api/v1/customers/${s.customerId}/reminders/draft?step=x`)).statusCode,
    ).toBe(400)
  })
})

describe('the demo’s workflows', () => {
  it('have steps whose reminders resolve and render', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    for (const workflow of demoWorkflows) await addWorkflow(store.db, org.id, workflow)
    const listed = json(await api.get('/api/v1/workflows'))
    const standard = listed.data.find((w: { name: string }) => w.name === 'Standard')
    expect(standard.steps.map((s: { name: string }) => s.name)).toEqual([
      'Friendly reminder',
      'Second reminder',
      'Final notice',
    ])
    const { id } = json(await api.post('/api/v1/customers', { name: 'Acme', workflow: 'Standard' }))
    await api.post(`/api/v1/customers/${id as string}/contacts`, {
      email: 'ap@acme.test',
      firstName: 'Jo',
      role: 'ACCOUNTING',
      isMain: true,
    })
    const res = await api.get(
      `/api/v1/customers/${id as string}/reminders/draft?step=${standard.steps[0].id as string}`,
    )
    expect(json(res)).toMatchObject({
      to: [{ email: 'ap@acme.test', reason: 'role' }],
      subject: 'Invoices due – Acme',
      body: expect.stringContaining('Hello Jo,'),
    })
  })
})

describe('sending a reminder', () => {
  it('sends the step to its resolved recipients over SMTP and puts it on the customer’s history', async () => {
    const s = await setup([
      { email: 'boss@globex.test', isMain: true },
      { email: 'ap@globex.test', role: 'ACCOUNTING', firstName: 'Ann' },
      { email: 'sales@globex.test', role: 'SALES' },
    ])
    const res = await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, { step: s.stepId })
    expect(res.statusCode).toBe(201)
    const created = json(res)
    expect(created).toMatchObject({
      status: 'queued',
      to: [{ email: 'ap@globex.test' }],
      cc: [{ email: 'boss@globex.test' }, { email: 'sales@globex.test' }],
    })
    expect(await runSends(s.orgId)).toEqual([undefined])
    const mail = smtp.mails.find((m) => m.to.includes('ap@globex.test'))
    expect(mail?.to.sort()).toEqual(['ap@globex.test', 'boss@globex.test', 'sales@globex.test'])
    expect(mail?.from).toBe(`bounces+${created.id as string}@acme.test`)
    expect(header(mail?.raw ?? '', 'To')).toBe('ap@globex.test')
    expect(header(mail?.raw ?? '', 'Cc')).toBe('boss@globex.test, sales@globex.test')
    expect(header(mail?.raw ?? '', 'Message-ID')).toBe(
      `<reminder-${created.id as string}@localhost>`,
    )
    expect(mail?.raw).toContain('Hello Ann,')

    const sent = json(await s.api.get(`/api/v1/reminders/${created.id as string}`))
    expect(sent).toMatchObject({ status: 'sent', reason: null, sentAt: expect.any(String) })
    const history = json(await s.api.get(`/api/v1/customers/${s.customerId}/history`))
    expect(history.data[0]).toMatchObject({
      entity: 'reminder',
      action: 'send',
      actor: { kind: 'api_key' },
      after: {
        step: 'First reminder',
        to: ['ap@globex.test'],
        cc: ['boss@globex.test', 'sales@globex.test'],
        subject: 'Overdue invoices – Globex',
      },
    })
  })

  it('saves a contact added while sending and sends to it, with the member’s own text', async () => {
    const s = await setup([{ email: 'boss@globex.test', isMain: true }])
    const res = await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, {
      step: s.stepId,
      to: [],
      newContacts: [
        { email: 'new.ap@globex.test', firstName: 'Nina', role: 'accounting', as: 'to' },
      ],
      cc: [{ contactId: s.contact['boss@globex.test'] }],
      subject: 'Please pay {{customer.name}}',
      body: 'Dear Nina, three invoices are overdue.',
    })
    expect(res.statusCode).toBe(201)
    expect(json(res)).toMatchObject({
      to: [{ email: 'new.ap@globex.test', contactId: expect.any(String) }],
      cc: [{ email: 'boss@globex.test' }],
      subject: 'Please pay Globex',
    })
    const contacts = json(await s.api.get(`/api/v1/customers/${s.customerId}/contacts`)).data
    expect(contacts).toContainEqual(
      expect.objectContaining({
        email: 'new.ap@globex.test',
        firstName: 'Nina',
        role: 'ACCOUNTING',
      }),
    )
    await runSends(s.orgId)
    const mail = smtp.mails.find((m) => m.to.includes('new.ap@globex.test'))
    expect(mail?.raw).toContain('Dear Nina, three invoices are overdue.')
    // The next draft resolves the new Accounting contact by its role.
    expect(emails(json(await draft(s)).to)).toEqual(['new.ap@globex.test'])
  })

  it('offers a one-off address instead of a new contact when a source owns the contacts', async () => {
    const s = await setup([{ email: 'boss@globex.test', isMain: true }])
    const [connection] = await store.db
      .insert(connections)
      .values({ organizationId: s.orgId, system: 'stripe', name: 'Stripe' })
      .returning()
    await store.db
      .update(organizations)
      .set({ contactSourceConnectionId: connection?.id })
      .where(eq(organizations.id, s.orgId))
    await store.db
      .update(customers)
      .set({ sourceConnectionId: connection?.id })
      .where(eq(customers.id, s.customerId))
    expect(json(await draft(s)).contactsLockedBy).toBe('Stripe')
    const refused = await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, {
      step: s.stepId,
      newContacts: [{ email: 'new.ap@globex.test' }],
    })
    expect(refused.statusCode).toBe(409)
    expect(json(refused).error.message).toBe(
      'Contacts of this customer are synced from Stripe: add the address for this reminder only, or add the contact in Stripe.',
    )
    const oneOff = await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, {
      step: s.stepId,
      to: [{ email: 'temp.ap@globex.test' }],
    })
    expect(oneOff.statusCode).toBe(201)
    expect(json(oneOff).to).toEqual([{ contactId: null, email: 'temp.ap@globex.test' }])
    const contacts = json(await s.api.get(`/api/v1/customers/${s.customerId}/contacts`)).data
    expect(emails(contacts)).toEqual(['boss@globex.test'])
    await runSends(s.orgId)
    expect(smtp.mails.some((m) => m.to.includes('temp.ap@globex.test'))).toBe(true)
  })

  it('refuses an address that is not an email and a contact of another customer', async () => {
    const s = await setup([{ email: 'boss@globex.test', isMain: true }])
    const other = await setup([{ email: 'x@other.test', isMain: true }])
    const notEmail = await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, {
      step: s.stepId,
      to: [{ email: 'not-an-email' }],
    })
    expect(notEmail.statusCode).toBe(400)
    expect(JSON.stringify(json(notEmail).error)).toContain('Enter a valid email address')
    const foreign = await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, {
      step: s.stepId,
      to: [{ contactId: other.contact['x@other.test'] }],
    })
    expect(foreign.statusCode).toBe(400)
    expect(json(foreign).error.message).toBe('A recipient is not one of this customer’s contacts.')
    expect(await queued(s.orgId)).toEqual([])
  })

  it('retries a refused or unreachable SMTP server without ever sending twice', async () => {
    const s = await setup([{ email: 'boss@globex.test', isMain: true }])
    const { id } = json(
      await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, { step: s.stepId }),
    )
    smtp.refuseNext(451, 'Try again later')
    const [first] = await runSends(s.orgId)
    expect(String(first)).toContain('The reminder could not be sent')
    expect(json(await s.api.get(`/api/v1/reminders/${id as string}`))).toMatchObject({
      status: 'queued',
      reason: expect.stringContaining('it will be tried again'),
    })
    const down = { ...deps, config: { ...config, smtpUrl: 'smtp://127.0.0.1:1' } }
    const [job] = await queued(s.orgId)
    if (!job) throw new Error('no job')
    expect(
      String(
        await sendReminder
          .handle(down, job.data, { ...job, retryCount: 1 })
          .catch((e: unknown) => e),
      ),
    ).toContain('could not be reached')
    await runSends(s.orgId, 2)
    await runSends(s.orgId, 3)
    await clearQueued(s.orgId)
    expect(
      smtp.mails.filter((m) => m.to.includes('boss@globex.test') && m.raw.includes(id as string)),
    ).toHaveLength(1)
    expect(json(await s.api.get(`/api/v1/reminders/${id as string}`))).toMatchObject({
      status: 'sent',
    })
  })

  it('sends nothing twice when the process stops after the mail server took the reminder', async () => {
    const s = await setup([{ email: 'boss@globex.test', isMain: true }])
    const { id } = json(
      await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, { step: s.stepId }),
    )
    // The process stops once the mail server has taken the message, before the outcome is written.
    const stopped = new Error('the process stopped')
    const db = new Proxy(store.db, {
      get(target, key) {
        if (key === 'transaction') return () => Promise.reject(stopped)
        const value: unknown = Reflect.get(target, key)
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value
      },
    })
    const [job] = await queued(s.orgId)
    if (!job) throw new Error('no job')
    expect(
      await sendReminder
        .handle({ ...deps, db }, job.data, { ...job, retryCount: 0 })
        .catch((e: unknown) => e),
    ).toBe(stopped)
    const ofReminder = () => smtp.mails.filter((m) => m.raw.includes(id as string))
    expect(ofReminder()).toHaveLength(1)
    expect(json(await s.api.get(`/api/v1/reminders/${id as string}`)).status).toBe('sending')

    // The retries send nothing: the reminder says delivery was not confirmed, and why.
    expect(await runSends(s.orgId, 1)).toEqual([undefined])
    await runSends(s.orgId, 2)
    await clearQueued(s.orgId)
    expect(ofReminder()).toHaveLength(1)
    expect(json(await s.api.get(`/api/v1/reminders/${id as string}`))).toMatchObject({
      status: 'unconfirmed',
      reason: unconfirmedReason,
      sentAt: null,
    })
    const history = json(await s.api.get(`/api/v1/customers/${s.customerId}/history`))
    expect(history.data[0]).toMatchObject({
      entity: 'reminder',
      entityId: id,
      action: 'send',
      after: { to: ['boss@globex.test'], status: 'unconfirmed' },
    })
  })

  it('records a permanent refusal as failed with the server’s reason', async () => {
    const s = await setup([{ email: 'boss@globex.test', isMain: true }])
    const { id } = json(
      await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, { step: s.stepId }),
    )
    smtp.refuseNext(550, 'Relaying denied')
    expect(await runSends(s.orgId)).toEqual([undefined])
    const failed = json(await s.api.get(`/api/v1/reminders/${id as string}`))
    expect(failed.status).toBe('failed')
    expect(failed.reason).toContain('Relaying denied')
    await runSends(s.orgId)
    expect(smtp.mails.some((m) => m.raw.includes(id as string))).toBe(false)
  })
})

describe('bounces', () => {
  it('marks a hard-bounced contact, falls back to the next of its role then the main contact, and clears on an edit', async () => {
    const s = await setup(
      [
        { email: 'boss@globex.test', isMain: true },
        { email: 'ap1@globex.test', role: 'ACCOUNTING' },
        { email: 'ap2@globex.test', role: 'ACCOUNTING' },
      ],
      { cc: [] },
    )
    const sent = json(
      await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, { step: s.stepId }),
    )
    await runSends(s.orgId)
    const mail = smtp.mails.find((m) => m.raw.includes(sent.id as string))
    const messageId = header(mail?.raw ?? '', 'Message-ID') ?? ''

    const first = await s.api.post('/api/v1/reminders/bounces', {
      messageId,
      recipient: 'AP1@globex.test',
      kind: 'hard',
      reason: '5.1.1 user unknown',
    })
    expect(first.statusCode).toBe(200)
    expect(json(first)).toEqual({
      reminderId: sent.id,
      contactsMarked: [{ id: s.contact['ap1@globex.test'], email: 'ap1@globex.test' }],
    })
    const ap1 = json(await s.api.get(`/api/v1/contacts/${s.contact['ap1@globex.test'] ?? ''}`))
    expect(ap1).toMatchObject({ bouncedAt: expect.any(String), bounceReason: '5.1.1 user unknown' })
    expect(emails(json(await draft(s)).to)).toEqual(['ap2@globex.test'])

    // The second one comes back to the VERP address.
    const second = await s.api.post('/api/v1/reminders/bounces', {
      verp: mail?.from,
      recipient: 'ap2@globex.test',
      kind: 'hard',
    })
    expect(second.statusCode).toBe(200)
    const fallen = json(await draft(s))
    expect(fallen.to).toEqual([
      expect.objectContaining({ email: 'boss@globex.test', reason: 'fallback_main' }),
    ])
    expect(fallen.warnings[0]).toBe(
      'No reachable Accounting contact (ap1@globex.test bounced, ap2@globex.test bounced): sent to the main contact.',
    )
    const list = json(await s.api.get('/api/v1/customers?reach=bounced'))
    expect(
      list.data.map((c: { id: string; bouncedContacts: number }) => [c.id, c.bouncedContacts]),
    ).toEqual([[s.customerId, 2]])
    expect(json(await s.api.get('/api/v1/customers/reach'))).toEqual({ unreachable: 0, bounced: 1 })

    // Chosen by hand, a bounced contact is tried again; a send that goes out clears its mark.
    const retry = await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, {
      step: s.stepId,
      to: [{ contactId: s.contact['ap2@globex.test'] }],
    })
    expect(retry.statusCode).toBe(201)
    await runSends(s.orgId)
    const retried = smtp.mails.find((m) => m.raw.includes(json(retry).id as string))
    expect(retried?.to).toEqual(['ap2@globex.test'])
    const ap2 = json(await s.api.get(`/api/v1/contacts/${s.contact['ap2@globex.test'] ?? ''}`))
    expect(ap2).toMatchObject({ bouncedAt: null, bounceReason: null })
    // The mark is cleared in the customer's history, by who sent the reminder, as it was marked.
    const bounceEvents = async (contactId: string | undefined) =>
      json(await s.api.get(`/api/v1/customers/${s.customerId}/history`)).data.filter(
        (e: { entityId: string; after: Record<string, unknown> | null }) =>
          e.entityId === contactId && e.after && 'bounceReason' in e.after,
      )
    const afterSend = json(await s.api.get(`/api/v1/customers/${s.customerId}/history`)).data
    const sendEvent = afterSend.find(
      (e: { entityId: string }) => e.entityId === (json(retry).id as string),
    )
    const ap2Events = await bounceEvents(s.contact['ap2@globex.test'])
    expect(ap2Events).toHaveLength(2)
    expect(ap2Events[0]).toMatchObject({
      entity: 'contact',
      action: 'update',
      actor: sendEvent.actor,
      before: { email: 'ap2@globex.test', bounceReason: 'The address bounced.' },
      after: { email: 'ap2@globex.test', bounceReason: null },
    })
    expect(ap2Events[1].actor).toMatchObject({ kind: 'api_key' })
    expect(emails(json(await draft(s)).to)).toEqual(['ap2@globex.test'])
    expect(json(await s.api.get(`/api/v1/customers/${s.customerId}`)).bouncedContacts).toBe(1)

    await s.api.patch(`/api/v1/contacts/${s.contact['ap1@globex.test'] ?? ''}`, {
      email: 'ap1.fixed@globex.test',
    })
    const fixed = json(await s.api.get(`/api/v1/contacts/${s.contact['ap1@globex.test'] ?? ''}`))
    expect(fixed).toMatchObject({ bouncedAt: null, bounceReason: null })
    // The edit that cleared the mark says so in the history, by the editor.
    const [edit] = await bounceEvents(s.contact['ap1@globex.test'])
    expect(edit).toMatchObject({
      action: 'update',
      actor: { kind: 'api_key' },
      before: { email: 'ap1@globex.test', bounceReason: '5.1.1 user unknown' },
      after: { email: 'ap1.fixed@globex.test', bounceReason: null },
    })
    expect(emails(json(await draft(s)).to)).toEqual(['ap1.fixed@globex.test', 'ap2@globex.test'])
    expect(json(await s.api.get(`/api/v1/customers/${s.customerId}`)).bouncedContacts).toBe(0)
  })

  it('receives delivery status notifications over SMTP: a failure marks the contact and the next draft falls back', async () => {
    const s = await setup(
      [
        { email: 'boss@globex.test', isMain: true },
        { email: 'ap1@globex.test', role: 'ACCOUNTING' },
        { email: 'ap2@globex.test', role: 'ACCOUNTING' },
      ],
      { cc: [] },
    )
    const sent = json(
      await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, { step: s.stepId }),
    )
    await runSends(s.orgId)
    const mail = smtp.mails.find((m) => m.raw.includes(sent.id as string))
    const verp = mail?.from ?? ''
    const messageId = header(mail?.raw ?? '', 'Message-ID') ?? ''
    expect(verp).toBe(`bounces+${sent.id as string}@acme.test`)

    const said: string[] = []
    const runtime = await startRuntime({
      config: { ...config, bounceSmtp: { host: '127.0.0.1', port: 0 } },
      store,
      receiveBounces: true,
      log: (message) => said.push(message),
    })
    const port = runtime.bounces?.port ?? 0
    // The receiving server mails its report back to the envelope sender, with an empty one.
    const mx = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
    const report = (to: string, raw: string) =>
      mx.sendMail({ envelope: { from: '', to: [to] }, raw })
    try {
      // To the VERP address: ap1 failed for good, the main contact only later.
      const first = await report(
        verp,
        deliveryReport({
          to: verp,
          messageId,
          recipients: [
            {
              email: 'ap1@globex.test',
              action: 'failed',
              status: '5.1.1',
              diagnostic: '550 5.1.1 <ap1@globex.test>: Recipient address rejected: User unknown',
            },
            { email: 'ap2@globex.test', action: 'delayed', status: '4.4.1' },
          ],
        }),
      )
      expect(first.response).toContain('ap1@globex.test: hard bounce, contact marked bounced')
      expect(first.response).toContain('ap2@globex.test: soft bounce')
      const ap1 = json(await s.api.get(`/api/v1/contacts/${s.contact['ap1@globex.test'] ?? ''}`))
      expect(ap1).toMatchObject({
        bouncedAt: expect.any(String),
        bounceReason: '5.1.1 550 5.1.1 <ap1@globex.test>: Recipient address rejected: User unknown',
      })
      expect(emails(json(await draft(s)).to)).toEqual(['ap2@globex.test'])
      const history = json(await s.api.get(`/api/v1/customers/${s.customerId}/history`))
      expect(history.data[0]).toMatchObject({
        entity: 'contact',
        entityId: s.contact['ap1@globex.test'],
        actor: { kind: 'source', label: 'bounce received by email' },
        before: { email: 'ap1@globex.test', bounceReason: null },
        after: { email: 'ap1@globex.test', bounceReason: expect.stringContaining('5.1.1') },
      })

      // To the bare bounce address: found by the Message-ID of the message it returns.
      const second = await report(
        'bounces@acme.test',
        deliveryReport({
          to: 'bounces@acme.test',
          messageId,
          returned: 'message',
          recipients: [{ email: 'ap2@globex.test', action: 'failed', status: '5.2.1' }],
        }),
      )
      expect(second.response).toContain(`reminder ${sent.id as string}`)
      const fallen = json(await draft(s))
      expect(fallen.to).toEqual([
        expect.objectContaining({ email: 'boss@globex.test', reason: 'fallback_main' }),
      ])
      expect(fallen.warnings[0]).toContain('ap2@globex.test bounced')

      // A report of no known message, and a message that is no report: said, never a failure.
      const unknown = await report(
        'bounces@acme.test',
        deliveryReport({
          to: 'bounces@acme.test',
          messageId: '<someone-else@elsewhere.test>',
          recipients: [{ email: 'boss@globex.test', action: 'failed', status: '5.1.1' }],
        }),
      )
      expect(unknown.response).toContain(
        'No reminder matches this delivery status notification (sent to bounces@acme.test, about Message-ID <someone-else@elsewhere.test>): ignored.',
      )
      const autoReply = await report(
        verp,
        'From: boss@globex.test\r\nSubject: Out of office\r\n\r\nBack on Monday.\r\n',
      )
      expect(autoReply.response).toContain('Not a delivery status notification')
      expect(said).toHaveLength(4)
      expect(said[2]).toContain('No reminder matches')
      expect(json(await draft(s)).to[0].email).toBe('boss@globex.test')

      // Only the bounce address receives mail here.
      await expect(report('boss@globex.test', 'Subject: hi\r\n\r\nhi\r\n')).rejects.toThrow(
        'This server receives only the bounces sent to bounces@acme.test.',
      )
    } finally {
      mx.close()
      await runtime.stop()
    }
    // Stopped with the runtime.
    await expect(report(verp, 'Subject: x\r\n\r\nx\r\n')).rejects.toThrow(/ECONNREFUSED/)
  })

  it('reads where the bounce receiver listens, and refuses a port that is none', () => {
    expect(loadConfig({}).bounceSmtp).toBeUndefined()
    expect(loadConfig({ ROSTER_BOUNCE_SMTP_PORT: '2525' }).bounceSmtp).toEqual({
      host: '127.0.0.1',
      port: 2525,
    })
    expect(
      loadConfig({ ROSTER_BOUNCE_SMTP_PORT: '25', ROSTER_BOUNCE_SMTP_HOST: '0.0.0.0' }).bounceSmtp,
    ).toEqual({ host: '0.0.0.0', port: 25 })
    expect(() => loadConfig({ ROSTER_BOUNCE_SMTP_PORT: 'smtp' })).toThrow(
      'ROSTER_BOUNCE_SMTP_PORT must be a positive whole number',
    )
    expect(() => loadConfig({ ROSTER_BOUNCE_SMTP_PORT: '70000' })).toThrow(
      'ROSTER_BOUNCE_SMTP_PORT must be a port number (1 to 65535)',
    )
  })

  it('records a soft bounce without marking anyone, and refuses a bounce of no known reminder', async () => {
    const s = await setup([{ email: 'boss@globex.test', isMain: true }])
    const sent = json(
      await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, { step: s.stepId }),
    )
    const soft = await s.api.post('/api/v1/reminders/bounces', {
      messageId: `<reminder-${sent.id as string}@localhost>`,
      recipient: 'boss@globex.test',
      kind: 'soft',
      reason: '4.2.2 mailbox full',
    })
    expect(json(soft).contactsMarked).toEqual([])
    expect(json(await draft(s)).to).toHaveLength(1)
    const unknown = await s.api.post('/api/v1/reminders/bounces', {
      messageId: '<nothing@localhost>',
      recipient: 'boss@globex.test',
      kind: 'hard',
    })
    expect(unknown.statusCode).toBe(404)
    expect(json(unknown).error.message).toContain('No reminder of this organisation matches')
    const stranger = await s.api.post('/api/v1/reminders/bounces', {
      messageId: `<reminder-${sent.id as string}@localhost>`,
      recipient: 'someone@else.test',
      kind: 'hard',
    })
    expect(stranger.statusCode).toBe(400)
    const neither = await s.api.post('/api/v1/reminders/bounces', {
      recipient: 'boss@globex.test',
      kind: 'hard',
    })
    expect(neither.statusCode).toBe(400)
    await clearQueued(s.orgId)
  })

  it('finds the customers nobody can be reminded at', async () => {
    const s = await setup([{ email: 'boss@globex.test', isMain: true }])
    const { id: empty } = json(await s.api.post('/api/v1/customers', { name: 'Nobody Inc' }))
    const reachable = json(await s.api.post('/api/v1/customers', { name: 'Reachable SA' }))
    await s.api.post(`/api/v1/customers/${reachable.id as string}/contacts`, {
      email: 'ap@reachable.test',
    })
    await s.api.put(`/api/v1/contacts/${s.contact['boss@globex.test'] ?? ''}/do-not-remind`, {
      doNotRemind: true,
    })
    const list = json(await s.api.get('/api/v1/customers?reach=unreachable'))
    expect(list.data.map((c: { name: string }) => c.name)).toEqual(['Globex', 'Nobody Inc'])
    expect(json(await s.api.get('/api/v1/customers/reach'))).toEqual({ unreachable: 2, bounced: 0 })
    expect(empty).toEqual(expect.any(String))
    expect((await s.api.get('/api/v1/customers?reach=lost')).statusCode).toBe(400)
  })

  it('sends nothing to an archived customer, even a reminder queued before, until it is restored', async () => {
    const s = await setup([{ email: 'ap@globex.test', role: 'ACCOUNTING', isMain: true }])
    const queuedBefore = json(
      await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, { step: s.stepId }),
    )
    expect((await s.api.post(`/api/v1/customers/${s.customerId}/archive`, {})).statusCode).toBe(200)
    expect(await runSends(s.orgId)).toEqual([undefined])
    expect(smtp.mails.some((m) => m.raw.includes(queuedBefore.id as string))).toBe(false)
    expect(json(await s.api.get(`/api/v1/reminders/${queuedBefore.id as string}`))).toMatchObject({
      status: 'failed',
      reason: 'Not sent: the customer was archived.',
    })
    for (const refused of [
      await draft(s),
      await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, { step: s.stepId }),
    ]) {
      expect(refused.statusCode).toBe(409)
      expect(json(refused).error.message).toBe(
        'The customer Globex is archived: restore it before changing it or sending it a reminder.',
      )
    }
    expect(json(await s.api.get('/api/v1/customers/reach'))).toEqual({ unreachable: 0, bounced: 0 })
    await s.api.post(`/api/v1/customers/${s.customerId}/restore`, {})
    expect((await draft(s)).statusCode).toBe(200)
  })

  it('refuses to delete a customer reminders were sent to, and says to archive it', async () => {
    const s = await setup([{ email: 'ap@globex.test', role: 'ACCOUNTING', isMain: true }])
    await s.api.post(`/api/v1/customers/${s.customerId}/reminders`, { step: s.stepId })
    const refused = await s.api.delete(`/api/v1/customers/${s.customerId}`)
    expect(refused.statusCode).toBe(409)
    expect(json(refused).error).toMatchObject({
      message:
        'Globex cannot be deleted: 1 reminder was sent to it. Archive it instead: it leaves the list and keeps its history.',
      details: [{ path: 'reminders', message: '1 reminder was sent to it.' }],
    })
    expect((await s.api.get(`/api/v1/customers/${s.customerId}`)).statusCode).toBe(200)
    await clearQueued(s.orgId)
  })
})
