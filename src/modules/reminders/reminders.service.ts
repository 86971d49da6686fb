import { randomUUID } from 'node:crypto'
import { and, eq, isNull } from 'drizzle-orm'
import type {
  RecipientChoice,
  Reminder,
  ReminderCreate,
  ReminderDraft,
  ResolvedRecipient,
} from '../../contracts/reminders.ts'
import { renderTemplate, type Placeholder } from '../../contracts/workflows.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import type { DbOrTx, Tx } from '../../platform/db/client.ts'
import { contacts, members, organizations, reminders } from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { createContact } from '../contacts/contacts.service.ts'
import { lockCustomer, type LockedCustomer } from '../customers/customers.service.ts'
import { contactSourceState } from '../organizations/contact-source.service.ts'
import { contactOwner } from '../sources/ownership.ts'
import { systemNames } from '../sources/systems.ts'
import {
  dedupe,
  finish,
  recipientOf,
  resolveRecipients,
  type CandidateContact,
} from './recipients.ts'
import { candidateContacts, findStep, toReminder } from './reminders.queries.ts'
import { sendReminder } from './reminders.job.ts'

type StepRow = NonNullable<Awaited<ReturnType<typeof findStep>>>

async function stepOrRefuse(db: DbOrTx, organizationId: string, id: string): Promise<StepRow> {
  const found = await findStep(db, organizationId, id)
  if (!found) {
    throw new AppError('validation_failed', 'Unknown reminder step; choose a step of a workflow.', [
      { path: 'step', message: 'Not a step of one of your workflows.' },
    ])
  }
  return found
}

/** The values of a step's placeholders for a customer, its first recipient and the sender. */
async function placeholderValues(
  db: DbOrTx,
  scope: Scope,
  customer: { name: string; externalId: string | null },
  first: ResolvedRecipient | undefined,
  contactList: CandidateContact[],
  stepName: string,
): Promise<Partial<Record<Placeholder, string>>> {
  const [org] = await db
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, scope.organizationId))
  let member = { name: scope.actor.label, email: '' }
  if (scope.actor.kind === 'member' && scope.actor.id) {
    const [row] = await db
      .select({ name: members.name, email: members.email })
      .from(members)
      .where(and(eq(members.organizationId, scope.organizationId), eq(members.id, scope.actor.id)))
    if (row) member = { name: row.name ?? row.email, email: row.email }
  }
  const contact = first?.contactId
    ? contactList.find((candidate) => candidate.id === first.contactId)
    : undefined
  return {
    'customer.name': customer.name,
    'customer.externalId': customer.externalId ?? '',
    'contact.firstName': contact?.firstName ?? '',
    'contact.lastName': contact?.lastName ?? '',
    'contact.email': first?.email ?? '',
    'member.name': member.name,
    'member.email': member.email,
    'organization.name': org?.name ?? '',
    'step.name': stepName,
  }
}

async function customerOrNotFound(tx: Tx, organizationId: string, id: string) {
  return lockCustomer(tx, organizationId, id)
}

async function contactsOwner(tx: DbOrTx, organizationId: string, customer: LockedCustomer) {
  const owner = contactOwner(await contactSourceState(tx, organizationId), customer)
  return owner ? systemNames[owner] : null
}

/** What a reminder of this step would be: its resolved recipients, rendered text and warnings. */
export async function reminderDraft(
  tx: Tx,
  scope: Scope,
  customerId: string,
  stepId: string,
): Promise<ReminderDraft> {
  const org = scope.organizationId
  const customer = await customerOrNotFound(tx, org, customerId)
  const { step, workflow } = await stepOrRefuse(tx, org, stepId)
  const contactList = await candidateContacts(tx, org, customerId)
  const resolution = resolveRecipients(contactList, step)
  const values = await placeholderValues(
    tx,
    scope,
    customer,
    resolution.to[0],
    contactList,
    step.name,
  )
  return {
    step: { id: step.id, name: step.name, workflow },
    to: resolution.to,
    cc: resolution.cc,
    subject: renderTemplate(step.subject, values),
    body: renderTemplate(step.body, values),
    warnings: resolution.warnings,
    reachable: resolution.reachable,
    contactsLockedBy: await contactsOwner(tx, org, customer),
  }
}

/** A recipient the member chose, checked against the customer's contacts. */
function chosen(
  choice: RecipientChoice,
  contactList: CandidateContact[],
  path: string,
): ResolvedRecipient {
  const contact =
    'contactId' in choice
      ? contactList.find((candidate) => candidate.id === choice.contactId)
      : contactList.find(
          (candidate) => candidate.email.toLowerCase() === choice.email.toLowerCase(),
        )
  if ('contactId' in choice && !contact) {
    throw new AppError('validation_failed', 'A recipient is not one of this customer’s contacts.', [
      { path, message: 'Not a contact of this customer; choose one of its contacts or an email.' },
    ])
  }
  if (!contact) {
    const email = 'email' in choice ? choice.email : ''
    return {
      contactId: null,
      email,
      name: null,
      role: null,
      isMain: false,
      reason: 'one_off',
      why: 'Address added for this reminder only',
    }
  }
  if (contact.doNotRemind) {
    throw new AppError(
      'validation_failed',
      `${contact.email} is marked "do not send reminders": resume reminders to the contact first.`,
      [{ path, message: 'This contact receives no reminders.' }],
    )
  }
  // A bounced email is never resolved, but the member may try it again on purpose: once sent,
  // the mark is cleared (reminders.job.ts).
  return recipientOf(
    contact,
    'chosen',
    contact.bouncedAt ? 'Chosen when sending, although its email bounced' : 'Chosen when sending',
  )
}

/**
 * Queues a reminder of a step to a customer, with the member's adjustments: the recipients they
 * chose (else the step's), the new contacts they added (saved when Roster owns the customer's
 * contacts), and their text. The email goes out in a job (reminders.job.ts).
 */
export async function createReminder(
  tx: Tx,
  queue: Queue,
  scope: Scope,
  customerId: string,
  input: ReminderCreate,
  mailDomain: string,
): Promise<Reminder> {
  const org = scope.organizationId
  const customer = await customerOrNotFound(tx, org, customerId)
  const { step } = await stepOrRefuse(tx, org, input.step)
  const added: { to: ResolvedRecipient[]; cc: ResolvedRecipient[] } = { to: [], cc: [] }
  if (input.newContacts && input.newContacts.length > 0) {
    const owner = await contactsOwner(tx, org, customer)
    if (owner) {
      throw new AppError(
        'source_owned',
        `Contacts of this customer are synced from ${owner}: add the address for this reminder only, or add the contact in ${owner}.`,
        [{ path: 'newContacts', message: `Contacts are owned by ${owner}.` }],
      )
    }
    for (const fresh of input.newContacts) {
      const { contact } = await createContact(tx, scope, customerId, {
        email: fresh.email,
        firstName: fresh.firstName,
        lastName: fresh.lastName,
        role: fresh.role,
      })
      added[fresh.as].push({
        contactId: contact.id,
        email: contact.email ?? fresh.email,
        name: [contact.firstName, contact.lastName].filter(Boolean).join(' ') || null,
        role: contact.role,
        isMain: contact.isMain,
        reason: 'new_contact',
        why: 'New contact added when sending',
      })
    }
  }
  const contactList = await candidateContacts(tx, org, customerId)
  const resolution = resolveRecipients(contactList, step)
  const pickedTo = input.to
    ? input.to.map((choice, i) => chosen(choice, contactList, `to.${String(i)}`))
    : resolution.to
  const pickedCc = input.cc
    ? input.cc.map((choice, i) => chosen(choice, contactList, `cc.${String(i)}`))
    : resolution.cc
  const to = dedupe([...pickedTo, ...added.to], new Set())
  const cc = dedupe([...pickedCc, ...added.cc], new Set(to.map((r) => r.email.toLowerCase())))
  const final = finish(to, cc, [])
  if (!final.reachable) {
    throw new AppError(
      'validation_failed',
      'Nobody can receive this reminder: add a recipient (a contact or an email address).',
      [{ path: 'to', message: 'No recipient.' }],
    )
  }
  const values = await placeholderValues(tx, scope, customer, final.to[0], contactList, step.name)
  const id = randomUUID()
  const address = (r: ResolvedRecipient) => ({ contactId: r.contactId, email: r.email })
  const [row] = await tx
    .insert(reminders)
    .values({
      organizationId: org,
      id,
      customerId,
      stepId: step.id,
      stepName: step.name,
      to: final.to.map(address),
      cc: final.cc.map(address),
      subject: renderTemplate(input.subject ?? step.subject, values),
      body: renderTemplate(input.body ?? step.body, values),
      messageId: `<reminder-${id}@${mailDomain}>`,
      actorKind: scope.actor.kind,
      actorId: scope.actor.id,
      actorLabel: scope.actor.label,
    })
    .returning()
  if (!row) throw new Error('insert returned no row')
  // One job per reminder: a second enqueue of the same reminder is ignored.
  await queue.enqueue(
    tx,
    sendReminder,
    { organizationId: org, reminderId: id },
    { singletonKey: id },
  )
  return toReminder(row)
}

/**
 * Stops or resumes sending reminders to a contact: Roster's own choice, open also on a contact a
 * source owns. Recorded in the customer's history when it changes.
 */
export async function setDoNotRemind(
  tx: Tx,
  scope: Scope,
  contactId: string,
  doNotRemind: boolean,
): Promise<void> {
  const where = and(
    eq(contacts.organizationId, scope.organizationId),
    eq(contacts.id, contactId),
    isNull(contacts.archivedAt),
  )
  const [before] = await tx
    .select({
      customerId: contacts.customerId,
      email: contacts.email,
      doNotRemind: contacts.doNotRemind,
    })
    .from(contacts)
    .where(where)
    .for('update')
  if (!before) throw notFound('Contact')
  if (before.doNotRemind === doNotRemind) return
  await tx.update(contacts).set({ doNotRemind, updatedAt: new Date() }).where(where)
  await recordAudit(tx, scope, {
    entity: 'contact',
    entityId: contactId,
    customerId: before.customerId,
    action: 'update',
    before: { email: before.email, doNotRemind: before.doNotRemind },
    after: { email: before.email, doNotRemind },
  })
}

export const reminderNotFound = () => notFound('Reminder')
