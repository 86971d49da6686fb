import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import { addMember } from '../../src/modules/organizations/members.service.ts'
import type { Store } from '../../src/platform/db/client.ts'
import { connections, customers, organizations } from '../../src/platform/db/schema/index.ts'
import type { SignInAs } from './roster.ts'

/** Calls the API as the organisation (an API key), failing loudly on any error answer. */
export async function apiAs(app: FastifyInstance, store: Store, organizationId: string) {
  const { key } = await createApiKey(store.db, organizationId, { name: 'e2e seed' })
  return async (
    method: 'POST' | 'PATCH',
    url: string,
    payload: object,
  ): Promise<{ id: string }> => {
    const res = await app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${key}` },
      payload: payload as Record<string, unknown>,
    })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
}

export interface Seeded {
  acmeId: string
  syncedId: string
  managerEmail: string
}

const towns = ['Paris', 'Lyon', 'Lille', 'Nantes', 'Bordeaux', 'Toulouse', 'Rennes', 'Nice']
const names = [
  'Boulangerie Martin',
  'Cabinet Lefèvre',
  'Dupont Logistique',
  'Éditions du Parc',
  'Ferronnerie Girard',
  'Garage Moreau',
  'Hôtel des Arts',
  'Imprimerie Roux',
  'Jardins de Provence',
  'Kiosque Bernard',
  'Laboratoires Petit',
  'Menuiserie Fournier',
]

/**
 * A small organisation to look at: Acme with two contacts and an account manager, customers of
 * every kind, and one customer (with its contact) brought by a Stripe connection, which Roster
 * shows read-only.
 */
export async function seedCustomers(
  app: FastifyInstance,
  store: Store,
  org: SignInAs,
): Promise<Seeded> {
  const call = await apiAs(app, store, org.organizationId)
  const manager = await addMember(store.db, org.organizationId, {
    email: `bob.durand.${org.organizationId.slice(0, 8)}@example.com`,
    name: 'Bob Durand',
    role: 'account_manager',
  })
  await call('POST', '/workflows', { name: 'Gentle' })
  await call('POST', '/workflows', { name: 'Firm' })
  const acme = await call('POST', '/customers', {
    name: 'Acme SAS',
    externalId: 'C-0001',
    city: 'Paris',
    country: 'FR',
    accountManagers: [manager.email],
    workflow: 'Gentle',
  })
  await call('POST', `/customers/${acme.id}/contacts`, {
    email: 'ap@acme.example',
    firstName: 'Alice',
    lastName: 'Payet',
    role: 'PAYER',
    isMain: true,
  })
  await call('POST', `/customers/${acme.id}/contacts`, {
    email: 'sales@acme.example',
    firstName: 'Samuel',
    lastName: 'Vendeur',
    role: 'SALES',
  })
  await call('POST', '/customers', {
    name: 'Globex France',
    externalId: 'C-0002',
    workflow: 'Firm',
  })
  await call('POST', '/customers', { name: 'Initech', city: 'Lyon' })
  for (const [i, name] of names.entries()) {
    const customer = await call('POST', '/customers', {
      name,
      externalId: `C-${String(100 + i).padStart(4, '0')}`,
      city: towns[i % towns.length],
      workflow: i % 2 ? 'Gentle' : 'Firm',
      ...(i % 3 === 0 ? { accountManagers: [manager.email] } : {}),
    })
    await call('POST', `/customers/${customer.id}/contacts`, {
      email: `compta@${name
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z]+/g, '')}.example`,
      firstName: 'Claire',
      role: 'ACCOUNTING',
      isMain: true,
    })
  }
  const [stripe] = await store.db
    .insert(connections)
    .values({ organizationId: org.organizationId, system: 'stripe', name: 'Stripe' })
    .returning()
  // Its first billing connection is the organisation's contact source, as when connected.
  await store.db
    .update(organizations)
    .set({ contactSourceConnectionId: stripe?.id ?? null })
    .where(eq(organizations.id, org.organizationId))
  const synced = await call('POST', '/customers', {
    name: 'Umbrella Corp',
    externalId: 'cus_Q7umbrella',
    city: 'Nice',
  })
  await call('POST', `/customers/${synced.id}/contacts`, {
    email: 'billing@umbrella.example',
    firstName: 'Ursula',
    isMain: true,
    role: 'PAYER',
  })
  await store.db
    .update(customers)
    .set({ sourceConnectionId: stripe?.id ?? null })
    .where(eq(customers.id, synced.id))
  return { acmeId: acme.id, syncedId: synced.id, managerEmail: manager.email }
}
