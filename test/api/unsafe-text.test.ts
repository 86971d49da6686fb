import { describe, expect, it } from 'vitest'
import { client, json, newOrg, testApp, testStore } from '../support.ts'

const store = await testStore()
const app = await testApp(store)
const org = await newOrg(store)
const api = client(app, org.key)

const refusal = (res: { statusCode: number; body: string }, path: string, says: string) => {
  expect(res.statusCode, res.body).toBe(400)
  expect(JSON.parse(res.body)).toMatchObject({
    error: { code: 'validation_failed', details: [{ path }] },
  })
  expect(JSON.parse(res.body).error.message).toContain(says)
}

describe('text no field keeps', () => {
  it('refuses a NUL character with a 400 naming the field, wherever it is sent', async () => {
    const nul = 'Acme\u0000'
    refusal(await api.post('/api/v1/customers', { name: nul }), 'name', 'NUL')
    refusal(await api.get('/api/v1/customers?q=%00'), 'q', 'NUL')
    refusal(await api.post('/api/v1/workflows', { name: nul }), 'name', 'NUL')
    refusal(await api.post('/api/v1/api-keys', { name: nul }), 'name', 'NUL')
    refusal(
      await api.post('/api/v1/members', { email: 'nul@example.com', firstName: nul }),
      'firstName',
      'NUL',
    )
    refusal(await api.get(`/api/v1/customers/${encodeURIComponent(nul)}`), 'id', 'NUL')
    // A key of the body is text too.
    refusal(await api.post('/api/v1/customers', { 'name\u0000': 'Acme' }), 'body', 'NUL')
  })

  it('refuses bidirectional controls, which make text display otherwise than it reads', async () => {
    const res = await api.post('/api/v1/customers', {
      name: 'Spoof SA',
      externalId: 'X3\u202Egnp.exe',
    })
    refusal(res, 'externalId', 'bidirectional')
    const nested = await api.post('/api/v1/customers', {
      name: 'Nested SA',
      contacts: [{ email: 'a@nested.example', firstName: 'A\u2066' }],
    })
    refusal(nested, 'contacts.0.firstName', 'bidirectional')
  })

  it('keeps right-to-left text and its direction marks', async () => {
    const res = await api.post('/api/v1/customers', { name: '\u200Fشركة الأمل' })
    expect(res.statusCode, res.body).toBe(201)
    expect(json(res).name).toBe('\u200Fشركة الأمل')
  })
})
