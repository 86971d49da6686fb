import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { migrate } from '../src/platform/db/migrate.ts'
import { contacts, customers } from '../src/platform/db/schema/index.ts'
import { newOrg, testStore } from './support.ts'

const store = await testStore()

describe('store', () => {
  it('runs migrations again without changing anything', async () => {
    await migrate(store.pool)
    const { rows } = await store.pool.query<{ n: number }>(
      'select count(*)::int as n from drizzle.__drizzle_migrations',
    )
    expect(rows[0]?.n).toBeGreaterThan(0)
  })

  it('keeps parameters of concurrent queries apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        store.pool.query<{ n: number; s: string }>('select $1::int as n, $2::text as s', [
          i,
          `v${i}`,
        ]),
      ),
    )
    results.forEach((result, i) => {
      expect(result.rows[0]).toEqual({ n: i, s: `v${i}` })
    })
  })

  it('guarantees in the database: one main contact, emails unique per customer in any case', async () => {
    const org = await newOrg(store)
    const [customer] = await store.db
      .insert(customers)
      .values({ organizationId: org.id, name: 'Direct' })
      .returning()
    const base = { organizationId: org.id, customerId: customer?.id ?? '' }
    await store.db.insert(contacts).values({ ...base, email: 'a@x.co', isMain: true })
    await expect(
      store.db.insert(contacts).values({ ...base, email: 'b@x.co', isMain: true }),
    ).rejects.toThrow()
    await expect(store.db.insert(contacts).values({ ...base, email: 'A@X.CO' })).rejects.toThrow()
    const externalId = randomUUID()
    await store.db.insert(customers).values({ organizationId: org.id, name: 'One', externalId })
    await expect(
      store.db.insert(customers).values({ organizationId: org.id, name: 'Two', externalId }),
    ).rejects.toThrow()
    const count = await store.db.execute(
      sql`select count(*)::int as n from contacts where organization_id = ${org.id}`,
    )
    expect(count.rows[0]).toEqual({ n: 1 })
  })
})
