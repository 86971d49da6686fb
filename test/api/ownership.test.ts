import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { connections, customers, organizations } from '../../src/platform/db/schema/index.ts'
import { client, json, newMember, newOrg, testApp, testStore } from '../support.ts'

const store = await testStore()
const app = await testApp(store)

/** A customer brought by a Stripe connection, with one synced contact. */
async function syncedCustomer() {
  const org = await newOrg(store)
  const api = client(app, org.key)
  const [connection] = await store.db
    .insert(connections)
    .values({ organizationId: org.id, system: 'stripe', name: 'Stripe' })
    .returning()
  // The organisation's first billing connection is its contact source.
  await store.db
    .update(organizations)
    .set({ contactSourceConnectionId: connection?.id })
    .where(eq(organizations.id, org.id))
  const { id } = json(await api.post('/api/v1/customers', { name: 'Synced', externalId: 'cus_1' }))
  const contact = json(
    await api.post(`/api/v1/customers/${id as string}/contacts`, {
      email: 'ap@synced.co',
      isMain: true,
    }),
  )
  await store.db
    .update(customers)
    .set({ sourceConnectionId: connection?.id })
    .where(eq(customers.id, id as string))
  return { org, api, customerId: id as string, contactId: contact.id as string }
}

describe('fields owned by a source', () => {
  it('refuses changes to a synced customer, naming the source', async () => {
    const { api, customerId } = await syncedCustomer()
    const res = await api.patch(`/api/v1/customers/${customerId}`, {
      name: 'Renamed',
      city: 'Paris',
    })
    expect(res.statusCode).toBe(409)
    expect(json(res).error.code).toBe('source_owned')
    expect(json(res).error.message).toBe(
      'This customer is synced from Stripe: change name, city in Stripe.',
    )
    expect(json(await api.get(`/api/v1/customers/${customerId}`))).toMatchObject({
      name: 'Synced',
      source: 'stripe',
    })
    expect((await api.delete(`/api/v1/customers/${customerId}`)).statusCode).toBe(409)
  })

  it('keeps account managers and workflow editable on a synced customer', async () => {
    const { api, org, customerId } = await syncedCustomer()
    const manager = await newMember(store, org, 'account_manager')
    await api.post('/api/v1/workflows', { name: 'W' })
    const res = await api.patch(`/api/v1/customers/${customerId}`, {
      accountManagers: [manager.email],
      workflow: 'W',
      name: 'Synced',
    })
    expect(res.statusCode).toBe(200)
    expect(json(res)).toMatchObject({ accountManagers: [manager.email], workflow: 'W' })
  })

  it("refuses to add, change or delete a synced customer's contacts", async () => {
    const { api, customerId, contactId } = await syncedCustomer()
    const message = 'Contacts of this customer are synced from Stripe: change them in Stripe.'
    for (const res of [
      await api.post(`/api/v1/customers/${customerId}/contacts`, { email: 'new@synced.co' }),
      await api.patch(`/api/v1/contacts/${contactId}`, { firstName: 'X' }),
      await api.delete(`/api/v1/contacts/${contactId}`),
    ]) {
      expect(res.statusCode).toBe(409)
      expect(json(res).error).toMatchObject({ code: 'source_owned', message })
    }
  })

  it('says up front which source locks a customer and its contacts', async () => {
    const { org, api, customerId, contactId } = await syncedCustomer()
    expect(json(await api.get(`/api/v1/customers/${customerId}`))).toMatchObject({
      source: 'stripe',
      contactsLockedBy: 'stripe',
    })
    expect(json(await api.get(`/api/v1/contacts/${contactId}`)).lockedBy).toBe('stripe')
    const listed = json(await api.get(`/api/v1/customers/${customerId}/contacts`)).data
    expect(listed.map((c: { lockedBy: string }) => c.lockedBy)).toEqual(['stripe'])

    const own = json(await api.post('/api/v1/customers', { name: 'Ours' }))
    expect(own.contactsLockedBy).toBeNull()
    const ownContact = json(
      await api.post(`/api/v1/customers/${own.id as string}/contacts`, { email: 'a@ours.co' }),
    )
    expect(ownContact.lockedBy).toBeNull()

    await store.db
      .update(organizations)
      .set({ contactsDisconnectedAt: new Date() })
      .where(eq(organizations.id, org.id))
    expect(json(await api.get(`/api/v1/customers/${customerId}`)).contactsLockedBy).toBeNull()
    expect(json(await api.get(`/api/v1/contacts/${contactId}`)).lockedBy).toBeNull()
  })

  it('makes contacts editable once contacts are disconnected from the source', async () => {
    const { org, api, customerId, contactId } = await syncedCustomer()
    await store.db
      .update(organizations)
      .set({ contactsDisconnectedAt: new Date() })
      .where(eq(organizations.id, org.id))
    expect((await api.patch(`/api/v1/contacts/${contactId}`, { firstName: 'X' })).statusCode).toBe(
      200,
    )
    expect(
      (await api.post(`/api/v1/customers/${customerId}/contacts`, { email: 'new@synced.co' }))
        .statusCode,
    ).toBe(201)
    // The customer's own fields still belong to the source.
    expect((await api.patch(`/api/v1/customers/${customerId}`, { name: 'R' })).statusCode).toBe(409)
  })
})
