// The organisation the API benchmarks read: `count` customers (three contacts each, a third with
// an account manager, workflows and a Stripe source on some), written set-based.
import { sql } from 'drizzle-orm'
import { addWorkflow } from '../src/modules/workflows/workflows.service.ts'
import { createApiKey } from '../src/modules/organizations/api-keys.service.ts'
import { addMember } from '../src/modules/organizations/members.service.ts'
import { createOrganization } from '../src/modules/organizations/organizations.service.ts'
import type { Db } from '../src/platform/db/client.ts'
import { connections } from '../src/platform/db/schema/index.ts'

export interface SeededOrganization {
  id: string
  /** An API key of the organisation. */
  key: string
}

export async function seedCustomers(db: Db, count: number): Promise<SeededOrganization> {
  const slug = `bench-${Date.now()}`
  const org = await createOrganization(db, { name: 'Bench', slug, country: 'FR' })
  const { key } = await createApiKey(db, org.id, { name: 'bench' })
  const managers = []
  for (let i = 0; i < 5; i++) {
    managers.push(
      await addMember(db, org.id, { email: `am${i}@bench.example`, role: 'account_manager' }),
    )
  }
  const workflows = []
  for (const name of ['Gentle', 'Firm', 'Key accounts'])
    workflows.push(await addWorkflow(db, org.id, { name }))
  const [stripe] = await db
    .insert(connections)
    .values({ organizationId: org.id, system: 'stripe', name: 'Stripe' })
    .returning()

  process.stderr.write(`Seeding ${count.toLocaleString('en')} customers…\n`)
  const started = performance.now()
  const words = sql.raw(
    `array['Acme','Globex','Initech','Umbrella','Soylent','Hooli','Vandelay','Stark','Wayne','Tyrell']`,
  )
  await db.execute(sql`insert into customers
    (organization_id, name, external_id, city, country, workflow_id, source_connection_id, created_at)
    select ${org.id}::uuid,
      (${words})[1 + i % 10] || ' ' || substr(md5(i::text), 1, 8) || ' SAS',
      case when i % 10 = 0 then null else 'C-' || lpad(i::text, 7, '0') end,
      'Paris', 'FR',
      case i % 3 when 0 then ${workflows[0]?.id}::uuid when 1 then ${workflows[1]?.id}::uuid end,
      case when i % 5 = 0 then ${stripe?.id}::uuid end,
      now() - make_interval(secs => i)
    from generate_series(1, ${count}) i`)
  // Last names with accents, a common one and a rare one (one contact in a thousand).
  await db.execute(sql`insert into contacts (organization_id, customer_id, email, first_name, last_name, is_main, role)
    select c.organization_id, c.id, 'ap' || k || '.' || substr(md5(c.id::text), 1, 10) || '@example.com',
      'Contact ' || k,
      case when abs(hashtext(c.id::text || k)) % 1000 = 0 then 'Auclair-Lefèvre'
        else (array['Martin','Bernard','Dubois','Thomas','Robert','Richard','Petit','Durand','Léger','Lefèbvre'])[1 + abs(hashtext(c.id::text || k)) % 10] end,
      k = 1, case when k = 1 then 'PAYER'::contact_role end
    from customers c cross join generate_series(1, 3) k where c.organization_id = ${org.id}::uuid`)
  await db.execute(sql`insert into customer_account_managers (organization_id, customer_id, member_id)
    select c.organization_id, c.id, (array[${sql.join(
      managers.map((m) => sql`${m.id}::uuid`),
      sql`, `,
    )}])[1 + abs(hashtext(c.id::text)) % 5]
    from customers c where c.organization_id = ${org.id}::uuid and abs(hashtext(c.id::text)) % 3 = 0`)
  for (const table of ['customers', 'contacts', 'customer_account_managers']) {
    await db.execute(sql.raw(`analyze ${table}`))
  }
  process.stderr.write(`Seeded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  return { id: org.id, key }
}
