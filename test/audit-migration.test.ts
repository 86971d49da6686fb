import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createCustomer } from '../src/modules/customers/customers.service.ts'
import { addWorkflow } from '../src/modules/workflows/workflows.service.ts'
import { newOrg, testStore } from './support.ts'

/** Runs the migration's statements again, as the migrator does, on rows written before it. */
async function migrateAuditShape(): Promise<void> {
  const store = await testStore()
  const text = readFileSync(new URL('../drizzle/0005_audit_one_shape.sql', import.meta.url), 'utf8')
  for (const statement of text.split('--> statement-breakpoint')) {
    await store.db.execute(sql.raw(statement))
  }
}

describe('audit rows written before the field catalogue', () => {
  it('take the one shape: the group, workflow and source by name', async () => {
    const store = await testStore()
    const org = await newOrg(store)
    const { customer: group } = await store.db.transaction((tx) =>
      createCustomer(tx, org.scope, { name: 'Holding Group' }),
    )
    const workflow = await addWorkflow(store.db, org.id, { name: `Key accounts ${randomUUID()}` })
    const entityId = randomUUID()
    // As the import and the sync wrote them: ids.
    const bySql = {
      id: entityId,
      name: 'Dupont',
      groupId: group.id,
      workflowId: workflow.id,
      sourceConnectionId: null,
    }
    // As the API wrote them: the group as an object.
    const byApi = {
      id: entityId,
      name: 'Dupont SA',
      group: { id: group.id, name: 'Holding Group', externalId: null },
      accountManagers: [],
      workflow: workflow.name,
      source: 'roster',
    }
    const contact = {
      id: randomUUID(),
      customerId: entityId,
      email: 'ann@dupont.example',
      sourceConnectionId: randomUUID(),
    }
    await store.db.execute(sql`
      insert into audit_events (organization_id, entity, entity_id, customer_id, action,
        actor_kind, actor_id, actor_label, before, after)
      values
        (${org.id}, 'customer', ${entityId}, ${entityId}, 'update', 'import', null, 'import',
          ${JSON.stringify(bySql)}::jsonb, ${JSON.stringify(byApi)}::jsonb),
        (${org.id}, 'contact', ${contact.id}, ${entityId}, 'create', 'source', null, 'Stripe sync',
          null, ${JSON.stringify(contact)}::jsonb)`)

    await migrateAuditShape()

    const rows = await store.db.execute<{ entity: string; before: unknown; after: unknown }>(sql`
      select entity, before, after from audit_events
      where organization_id = ${org.id} and customer_id = ${entityId} order by entity`)
    expect(rows.rows).toEqual([
      {
        entity: 'customer',
        before: {
          id: entityId,
          name: 'Dupont',
          group: 'Holding Group',
          workflow: workflow.name,
          source: 'roster',
        },
        after: { ...byApi, group: 'Holding Group' },
      },
      {
        entity: 'contact',
        before: null,
        // The connection is gone: which system it was is not known any more.
        after: {
          id: contact.id,
          customerId: entityId,
          email: 'ann@dupont.example',
          source: null,
        },
      },
    ])
  })
})
