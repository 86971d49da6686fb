import { describe, expect, it } from 'vitest'
import { client, json, newOrg, testApp, testStore, type Client } from '../support.ts'

const store = await testStore()
const app = await testApp(store)

async function customerWithApi(country?: string): Promise<{ api: Client; customerId: string }> {
  const org = await newOrg(store, country)
  const api = client(app, org.key)
  const { id } = json(await api.post('/api/v1/customers', { name: 'Acme' }))
  return { api, customerId: id as string }
}

const contactsUrl = (customerId: string): string => `/api/v1/customers/${customerId}/contacts`

describe('contacts API', () => {
  it('adds a contact with a trimmed email, a role in any case and an E.164 phone', async () => {
    const { api, customerId } = await customerWithApi('FR')
    const res = await api.post(contactsUrl(customerId), {
      email: '  Jane.Doe@Example.com ',
      firstName: 'Jane',
      lastName: 'Doe',
      phone: '01 42 68 53 00',
      role: 'accounting',
      externalId: 'CT-1',
    })
    expect(res.statusCode).toBe(201)
    expect(json(res)).toMatchObject({
      email: 'Jane.Doe@Example.com',
      phone: '+33142685300',
      role: 'ACCOUNTING',
      externalId: 'CT-1',
      isMain: false,
      source: 'roster',
      phoneKeptAsTyped: false,
      warnings: [],
    })
  })

  it('keeps a phone number it cannot read as typed, with a warning', async () => {
    const { api, customerId } = await customerWithApi('FR')
    const res = await api.post(contactsUrl(customerId), { email: 'a@b.co', phone: 'ext. 42' })
    expect(res.statusCode).toBe(201)
    expect(json(res).phone).toBe('ext. 42')
    expect(json(res).warnings[0]).toMatchObject({ field: 'phone' })
    // It stays marked on the contact, not only in the answer to the write.
    const id = json(res).id as string
    const listed = json(await api.get(contactsUrl(customerId))).data
    expect(listed.find((c: { id: string }) => c.id === id)).toMatchObject({
      phone: 'ext. 42',
      phoneKeptAsTyped: true,
    })
    const fixed = await api.patch(`/api/v1/contacts/${id}`, { phone: '01 42 68 53 00' })
    expect(json(fixed)).toMatchObject({ phone: '+33142685300', phoneKeptAsTyped: false })
    const removed = await api.patch(`/api/v1/contacts/${id}`, { phone: null })
    expect(json(removed)).toMatchObject({ phone: null, phoneKeptAsTyped: false })
  })

  it('reads international numbers whatever the default country', async () => {
    const { api, customerId } = await customerWithApi(undefined)
    const res = await api.post(contactsUrl(customerId), { email: 'a@b.co', phone: '+49 30 901820' })
    expect(json(res)).toMatchObject({ phone: '+4930901820', warnings: [] })
  })

  it('rejects an invalid email and an unknown role with the allowed values', async () => {
    const { api, customerId } = await customerWithApi()
    const badEmail = await api.post(contactsUrl(customerId), { email: 'not-an-email' })
    expect(badEmail.statusCode).toBe(400)
    expect(json(badEmail).error.details[0].path).toBe('email')
    const badRole = await api.post(contactsUrl(customerId), { email: 'a@b.co', role: 'boss' })
    expect(badRole.statusCode).toBe(400)
    expect(json(badRole).error.message).toContain('Accounting, Sales, Purchaser or Payer')
  })

  it('refuses a second contact with the same email in another case', async () => {
    const { api, customerId } = await customerWithApi()
    expect((await api.post(contactsUrl(customerId), { email: 'jane@acme.com' })).statusCode).toBe(
      201,
    )
    const res = await api.post(contactsUrl(customerId), { email: 'JANE@ACME.COM' })
    expect(res.statusCode).toBe(409)
    expect(json(res).error).toMatchObject({ code: 'conflict' })
  })

  it('allows the same email at two different customers', async () => {
    const { api, customerId } = await customerWithApi()
    const other = json(await api.post('/api/v1/customers', { name: 'Other' }))
    expect((await api.post(contactsUrl(customerId), { email: 'x@y.co' })).statusCode).toBe(201)
    expect((await api.post(contactsUrl(other.id as string), { email: 'x@y.co' })).statusCode).toBe(
      201,
    )
  })

  it('making a contact main unsets the previous main contact', async () => {
    const { api, customerId } = await customerWithApi()
    const first = json(await api.post(contactsUrl(customerId), { email: 'a@x.co', isMain: true }))
    const second = json(await api.post(contactsUrl(customerId), { email: 'b@x.co', isMain: true }))
    let list = json(await api.get(contactsUrl(customerId))).data
    expect(
      list.filter((c: { isMain: boolean }) => c.isMain).map((c: { id: string }) => c.id),
    ).toEqual([second.id])
    await api.patch(`/api/v1/contacts/${first.id as string}`, { isMain: true })
    list = json(await api.get(contactsUrl(customerId))).data
    expect(list[0]).toMatchObject({ id: first.id, isMain: true })
    expect(list[1]).toMatchObject({ id: second.id, isMain: false })
    const customer = json(await api.get(`/api/v1/customers/${customerId}`))
    expect(customer.mainContact).toMatchObject({ id: first.id, email: 'a@x.co' })
  })

  it('keeps exactly one main contact when requests race', async () => {
    const { api, customerId } = await customerWithApi()
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api.post(contactsUrl(customerId), { email: `c${i}@race.co`, isMain: true }),
      ),
    )
    expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(201))
    const list = json(await api.get(contactsUrl(customerId))).data
    expect(list).toHaveLength(12)
    expect(list.filter((c: { isMain: boolean }) => c.isMain)).toHaveLength(1)
  })

  it('keeps one contact per email when requests with different cases race', async () => {
    const { api, customerId } = await customerWithApi()
    const results = await Promise.all(
      ['same@race.co', 'SAME@race.co', 'Same@Race.Co', 'same@RACE.CO', 'sAme@race.co'].map(
        (email) => api.post(contactsUrl(customerId), { email }),
      ),
    )
    const codes = results.map((r) => r.statusCode).sort()
    expect(codes).toEqual([201, 409, 409, 409, 409])
    expect(json(await api.get(contactsUrl(customerId))).data).toHaveLength(1)
  })

  it('updates, then deletes a contact', async () => {
    const { api, customerId } = await customerWithApi()
    const { id } = json(await api.post(contactsUrl(customerId), { email: 'a@x.co', role: 'SALES' }))
    const res = await api.patch(`/api/v1/contacts/${id as string}`, {
      role: 'payer',
      lastName: 'Doe',
    })
    expect(json(res)).toMatchObject({ role: 'PAYER', lastName: 'Doe', email: 'a@x.co' })
    expect((await api.delete(`/api/v1/contacts/${id as string}`)).statusCode).toBe(204)
    expect((await api.get(`/api/v1/contacts/${id as string}`)).statusCode).toBe(404)
  })

  it('refuses to change an email to one another contact of the customer has', async () => {
    const { api, customerId } = await customerWithApi()
    await api.post(contactsUrl(customerId), { email: 'a@x.co' })
    const { id } = json(await api.post(contactsUrl(customerId), { email: 'b@x.co' }))
    const res = await api.patch(`/api/v1/contacts/${id as string}`, { email: 'A@X.CO' })
    expect(res.statusCode).toBe(409)
  })

  it("answers 404 for another organisation's customer or contact", async () => {
    const mine = await customerWithApi()
    const theirs = await customerWithApi()
    const contact = json(await theirs.api.post(contactsUrl(theirs.customerId), { email: 'a@x.co' }))
    expect((await mine.api.get(`/api/v1/customers/${theirs.customerId}`)).statusCode).toBe(404)
    expect((await mine.api.get(contactsUrl(theirs.customerId))).statusCode).toBe(404)
    expect(
      (await mine.api.post(contactsUrl(theirs.customerId), { email: 'z@x.co' })).statusCode,
    ).toBe(404)
    expect((await mine.api.get(`/api/v1/contacts/${contact.id as string}`)).statusCode).toBe(404)
    expect(
      (await mine.api.patch(`/api/v1/contacts/${contact.id as string}`, { lastName: 'X' }))
        .statusCode,
    ).toBe(404)
    expect((await mine.api.delete(`/api/v1/contacts/${contact.id as string}`)).statusCode).toBe(404)
    expect((await mine.api.delete(`/api/v1/customers/${theirs.customerId}`)).statusCode).toBe(404)
    expect(
      json(await theirs.api.get(`/api/v1/contacts/${contact.id as string}`)).lastName,
    ).toBeNull()
  })
})
