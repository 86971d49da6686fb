import { randomBytes } from 'node:crypto'
import { workflowCreate, type WorkflowCreate } from '../../contracts/workflows.ts'
import type { Db } from '../../platform/db/client.ts'
import { createContact } from '../contacts/contacts.service.ts'
import { createCustomer } from '../customers/customers.service.ts'
import { addWorkflow } from '../workflows/workflows.service.ts'
import { cliActor } from '../../platform/auth/scope.ts'
import { createApiKey } from './api-keys.service.ts'
import { addMember } from './members.service.ts'
import { countOrganizations, createOrganization } from './organizations.service.ts'

export interface DemoAccess {
  slug: string
  email: string
  password: string
  apiKey: string
}

const signature = '\n\n{{member.name}}\n{{organization.name}}'

/** The demo's workflows: the plan a team follows, a step per reminder, to the roles it concerns. */
export const demoWorkflows: WorkflowCreate[] = [
  {
    name: 'Standard',
    steps: [
      {
        name: 'Friendly reminder',
        delayDays: 3,
        subject: 'Invoices due – {{customer.name}}',
        body: `Hello {{contact.firstName}},\n\nA friendly reminder that some of your invoices with us are now due. If they are already paid, please ignore this message.${signature}`,
        to: ['ACCOUNTING'],
        cc: [],
      },
      {
        name: 'Second reminder',
        delayDays: 10,
        subject: 'Second reminder: overdue invoices – {{customer.name}}',
        body: `Hello {{contact.firstName}},\n\nWe have not yet received payment of your overdue invoices. Could you let us know when they will be paid?${signature}`,
        to: ['ACCOUNTING', 'PAYER'],
        cc: ['main'],
      },
      {
        name: 'Final notice',
        delayDays: 20,
        subject: 'Final notice before escalation – {{customer.name}}',
        body: `Hello {{contact.firstName}},\n\nDespite our reminders, your invoices remain unpaid. Without payment within 8 days, we will have to suspend deliveries.${signature}`,
        to: ['main', 'PAYER'],
        cc: ['ACCOUNTING', 'PURCHASER'],
      },
    ],
  },
  {
    name: 'Key accounts',
    steps: [
      {
        name: 'Courtesy reminder',
        delayDays: 7,
        subject: 'Your account with {{organization.name}}',
        body: `Hello {{contact.firstName}},\n\nA few invoices on your account are past their due date; here is a quick reminder. Your account manager remains at your disposal.${signature}`,
        to: ['ACCOUNTING'],
        cc: ['main'],
      },
      {
        name: 'Account manager follow-up',
        delayDays: 21,
        subject: 'Overdue invoices – {{customer.name}}',
        body: `Hello {{contact.firstName}},\n\nSome invoices are still unpaid. Could we schedule a call to settle them?${signature}`,
        to: ['main'],
        cc: ['ACCOUNTING', 'SALES'],
      },
    ],
  },
].map((input) => workflowCreate.parse(input))

/**
 * On an empty store, creates a demo organisation with an admin who can sign in, an API key and a
 * few customers, so a first `npm start` has something to show. Returns undefined otherwise.
 */
export async function seedDemo(db: Db): Promise<DemoAccess | undefined> {
  if ((await countOrganizations(db)) > 0) return undefined
  const password = randomBytes(9).toString('base64url')
  return db.transaction(async (tx) => {
    const org = await createOrganization(tx, { name: 'Demo Company', slug: 'demo', country: 'FR' })
    const email = 'admin@demo.example'
    await addMember(tx, org.id, { email, name: 'Demo Admin', role: 'admin', password })
    await addMember(tx, org.id, {
      email: 'camille.martin@demo.example',
      name: 'Camille Martin',
      role: 'account_manager',
    })
    for (const workflow of demoWorkflows) await addWorkflow(tx, org.id, workflow)
    const scope = { organizationId: org.id, actor: cliActor }
    const { customer: group } = await createCustomer(tx, scope, {
      name: 'Durand Holding',
      externalId: 'C-1000',
      country: 'FR',
      city: 'Paris',
      workflow: 'Key accounts',
      accountManagers: ['camille.martin@demo.example'],
    })
    const { customer: subsidiary } = await createCustomer(tx, scope, {
      name: 'Durand Logistique',
      externalId: 'C-1001',
      country: 'FR',
      city: 'Lyon',
      groupId: group.id,
      workflow: 'Standard',
    })
    const { customer: acme } = await createCustomer(tx, scope, {
      name: 'Acme GmbH',
      externalId: 'C-2000',
      country: 'DE',
      city: 'Berlin',
      workflow: 'Standard',
    })
    await createContact(tx, scope, group.id, {
      email: 'compta@durand.example',
      firstName: 'Élodie',
      lastName: 'Durand',
      phone: '01 42 68 53 00',
      role: 'ACCOUNTING',
      isMain: true,
    })
    await createContact(tx, scope, subsidiary.id, {
      email: 'achats@durand-logistique.example',
      firstName: 'Luc',
      lastName: 'Bernard',
      role: 'PURCHASER',
      isMain: true,
    })
    await createContact(tx, scope, acme.id, {
      email: 'ap@acme.example',
      firstName: 'Jürgen',
      lastName: 'Weiß',
      phone: '+49 30 901820',
      role: 'PAYER',
      isMain: true,
    })
    const { key } = await createApiKey(tx, org.id, { name: 'Demo key' })
    return { slug: org.slug, email, password, apiKey: key }
  })
}
