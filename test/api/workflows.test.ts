import { describe, expect, it } from 'vitest'
import { client, json, newMember, newOrg, testApp, testStore } from '../support.ts'

const store = await testStore()
const app = await testApp(store)

const firstStep = {
  name: 'Gentle nudge',
  delayDays: 3,
  subject: 'Invoice reminder for {{customer.name}}',
  body: 'Hello {{contact.firstName}},\n\nA friendly reminder.\n\n{{member.name}}',
  to: ['ACCOUNTING'],
  cc: ['main'],
}

async function orgApi() {
  const org = await newOrg(store)
  return { org, api: client(app, org.key) }
}

describe('workflow steps', () => {
  it('creates a workflow with ordered steps and reads them back', async () => {
    const { api } = await orgApi()
    const res = await api.post('/api/v1/workflows', {
      name: 'Standard',
      steps: [firstStep, { ...firstStep, name: 'Firm', delayDays: 10, cc: [] }],
    })
    expect(res.statusCode).toBe(201)
    const created = json(res)
    expect(created.steps.map((s: { name: string }) => s.name)).toEqual(['Gentle nudge', 'Firm'])
    expect(created.steps[0]).toMatchObject({ delayDays: 3, to: ['ACCOUNTING'], cc: ['main'] })
    const read = json(await api.get(`/api/v1/workflows/${created.id as string}`))
    expect(read).toEqual(created)
  })

  it('refuses an unknown placeholder, naming it and the known ones', async () => {
    const { api } = await orgApi()
    const res = await api.post('/api/v1/workflows', {
      name: 'W',
      steps: [{ ...firstStep, body: 'Dear {{contact.nickname}}' }],
    })
    expect(res.statusCode).toBe(400)
    const { message, details } = json(res).error
    expect(JSON.stringify({ message, details })).toContain('{{contact.nickname}}')
    expect(JSON.stringify(details)).toContain('{{customer.name}}')
  })

  it('refuses a recipient that is neither main nor a role, and one in both To and Cc', async () => {
    const { api } = await orgApi()
    const bad = await api.post('/api/v1/workflows', {
      name: 'W',
      steps: [{ ...firstStep, to: ['boss'] }],
    })
    expect(bad.statusCode).toBe(400)
    expect(JSON.stringify(json(bad).error)).toContain('ACCOUNTING, SALES, PURCHASER, PAYER')
    const both = await api.post('/api/v1/workflows', {
      name: 'W',
      steps: [{ ...firstStep, to: ['main'], cc: ['main'] }],
    })
    expect(both.statusCode).toBe(400)
    expect(JSON.stringify(json(both).error)).toContain('both in To and in Cc')
  })

  it('renames, reorders, changes, adds and removes steps in one edit', async () => {
    const { api } = await orgApi()
    const created = json(
      await api.post('/api/v1/workflows', {
        name: 'Standard',
        steps: [firstStep, { ...firstStep, name: 'Firm' }, { ...firstStep, name: 'Last' }],
      }),
    )
    const [gentle, firm] = created.steps as { id: string }[]
    const res = await api.patch(`/api/v1/workflows/${created.id as string}`, {
      name: 'Renamed',
      steps: [
        { ...firstStep, id: firm?.id, name: 'Firm', delayDays: 1 },
        { ...firstStep, id: gentle?.id },
        { ...firstStep, name: 'New', to: ['main'], cc: [] },
      ],
    })
    expect(res.statusCode).toBe(200)
    const updated = json(res)
    expect(updated.name).toBe('Renamed')
    expect(updated.steps.map((s: { name: string }) => s.name)).toEqual([
      'Firm',
      'Gentle nudge',
      'New',
    ])
    expect(updated.steps[0]).toMatchObject({ id: firm?.id, delayDays: 1 })
    expect(updated.steps[1].id).toBe(gentle?.id)
  })

  it('refuses a step id of another workflow', async () => {
    const { api } = await orgApi()
    const a = json(await api.post('/api/v1/workflows', { name: 'A', steps: [firstStep] }))
    const b = json(await api.post('/api/v1/workflows', { name: 'B' }))
    const res = await api.patch(`/api/v1/workflows/${b.id as string}`, {
      steps: [{ ...firstStep, id: a.steps[0].id }],
    })
    expect(res.statusCode).toBe(400)
    expect(json(res).error.details[0].path).toBe('steps.0.id')
  })

  it('deletes a workflow and says which customers lose it, in their history too', async () => {
    const { api } = await orgApi()
    const wf = json(await api.post('/api/v1/workflows', { name: 'Doomed', steps: [firstStep] }))
    const { id: customerId } = json(
      await api.post('/api/v1/customers', { name: 'Acme', workflow: 'Doomed' }),
    )
    const res = await api.delete(`/api/v1/workflows/${wf.id as string}`)
    expect(res.statusCode).toBe(200)
    expect(json(res)).toEqual({ customersUnassigned: [{ id: customerId, name: 'Acme' }] })
    expect(json(await api.get(`/api/v1/customers/${customerId as string}`)).workflow).toBeNull()
    const history = json(await api.get(`/api/v1/customers/${customerId as string}/history`))
    expect(history.data[0]).toMatchObject({
      action: 'update',
      before: { workflow: 'Doomed' },
      after: { workflow: null },
    })
    expect((await api.get(`/api/v1/workflows/${wf.id as string}`)).statusCode).toBe(404)
  })

  it('lets only admins change workflows', async () => {
    const { org, api } = await orgApi()
    const wf = json(await api.post('/api/v1/workflows', { name: 'W' }))
    const password = 'correct horse battery'
    const member = await newMember(store, org, 'member', password)
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { organization: org.slug, email: member.email, password },
    })
    const session = signIn.cookies.find((c) => c.name === 'roster_session')
    const cookie = `roster_session=${session?.value ?? ''}`
    const asMember = client(app, { cookie })
    expect(
      (await asMember.patch(`/api/v1/workflows/${wf.id as string}`, { name: 'X' })).statusCode,
    ).toBe(403)
    expect((await asMember.delete(`/api/v1/workflows/${wf.id as string}`)).statusCode).toBe(403)
  })
})
