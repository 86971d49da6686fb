import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import type { ChargebeeFake } from '../fakes/chargebee/fake-server.ts'
import type { XeroFake } from '../fakes/xero/fake-server.ts'
import { json } from '../support.ts'
import { customerByExternalId } from '../sources/helpers.ts'
import { acme as chargebeeAcme, chargebeeSync } from './specs/chargebee.ts'
import { acme as xeroAcme, contactId, xeroSync } from './specs/xero.ts'
import { connector, syncEnvironment } from './sync-conformance.ts'

const env = await syncEnvironment()
const chargebee = connector(chargebeeSync, env)
const xero = connector(xeroSync, env)

/** The organisation's history entries and contacts whose text holds `needle`. */
async function holding(organizationId: string, needle: string): Promise<number> {
  const like = `%${needle}%`
  const { rows } = await env.store.db.execute<{ n: number }>(sql`
    select ((select count(*) from audit_events t where t.organization_id = ${organizationId} and t::text ilike ${like})
      + (select count(*) from contacts t where t.organization_id = ${organizationId} and t::text ilike ${like}))::int as n`)
  return Number(rows[0]?.n)
}

async function erasures(organizationId: string) {
  const { rows } = await env.store.db.execute<{ actor_kind: string; after: any }>(sql`
    select actor_kind, after from audit_events
    where organization_id = ${organizationId} and action = 'erase'`)
  return rows
}

describe("a source's own erasure (GDPR)", () => {
  it("Chargebee's pii_cleared erases the customer's contacts from Roster and its history", async () => {
    const setup = await chargebee.connected((fake: ChargebeeFake) => {
      chargebeeAcme(fake)
    })
    const before = await customerByExternalId(setup.api, 'acme')
    expect(before.contacts.map((c: any) => c.email)).toContain('marie@acme.example')
    expect(await holding(setup.org.id, 'marie@acme.example')).toBeGreaterThan(0)

    setup.fake.clearPersonalData('acme')
    setup.fake.advance(60)
    expect(await chargebee.syncNow(setup)).toMatchObject({ status: 'completed' })

    expect(await holding(setup.org.id, 'marie@acme.example')).toBe(0)
    expect(await holding(setup.org.id, 'ap@acme.example')).toBe(0)
    expect(await holding(setup.org.id, 'Dubois')).toBe(0)
    const recorded = await erasures(setup.org.id)
    expect(recorded).toHaveLength(2)
    expect(recorded.every((row) => row.actor_kind === 'source' && row.after.bySource)).toBe(true)
    expect(JSON.stringify(recorded)).not.toMatch(/marie|dubois|acme\.example/i)

    // Listed again (a full run), nothing more is erased and nothing comes back.
    expect(await chargebee.syncNow(setup, { full: true })).toMatchObject({
      status: 'completed',
    })
    expect(await erasures(setup.org.id)).toHaveLength(2)
    const contacts = json(await setup.api.get(`/api/v1/customers/${before.id}/contacts`))
    expect(contacts.data).toEqual([])
  })

  it("Xero's GDPRREQUEST erases the contact's people from Roster and its history", async () => {
    const setup = await xero.connected((fake: XeroFake) => {
      xeroAcme(fake)
    })
    const before = await customerByExternalId(setup.api, 'C-ACME')
    expect(before.contacts.map((c: any) => c.email)).toContain('marie@acme.example')

    setup.fake.eraseContact(contactId(setup.fake, 'C-ACME'))
    setup.fake.advance(60)
    expect(await xero.syncNow(setup)).toMatchObject({ status: 'completed' })

    expect(await holding(setup.org.id, 'marie@acme.example')).toBe(0)
    expect(await holding(setup.org.id, 'ap@acme.example')).toBe(0)
    expect(await holding(setup.org.id, 'Martin')).toBe(0)
    const recorded = await erasures(setup.org.id)
    expect(recorded).toHaveLength(2)
    expect(JSON.stringify(recorded)).not.toMatch(/marie|martin|acme\.example/i)
  })
})
