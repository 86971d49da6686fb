import { and, desc, eq, or, sql } from 'drizzle-orm'
import type { ContactErased, PersonalData } from '../../contracts/contacts.ts'
import type { Warning } from '../../contracts/common.ts'
import { contactCatalogue, personalFieldsOf } from '../../contracts/fields.ts'
import type { Scope } from '../../platform/auth/scope.ts'
import type { DbOrTx, Tx } from '../../platform/db/client.ts'
import {
  auditEvents,
  connections,
  contacts,
  customers,
  reminderBounces,
  reminders,
} from '../../platform/db/schema/index.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { eraseFromImport, forgetLocalCopy, importsHolding } from '../imports/personal-data.ts'
import { systemNames } from '../sources/systems.ts'

/** The catalogue's personal fields of a contact (`personal: true`), key and column. */
const personalFields = personalFieldsOf(contactCatalogue)
const personalKeys = new Set(personalFields.map((f) => f.key))

type ContactRow = typeof contacts.$inferSelect

async function lockAnyContact(tx: DbOrTx, organizationId: string, id: string) {
  const [row] = await tx
    .select()
    .from(contacts)
    .where(and(eq(contacts.organizationId, organizationId), eq(contacts.id, id)))
    .for('update')
  return row
}

const fold = (value: string): string => value.trim().toLowerCase()

/**
 * A value of the trail with the person taken out: a string that is their email becomes null, one
 * that contains it has it replaced; in a snapshot of the contact itself, its personal fields
 * become null.
 */
function redact(value: unknown, email: string | null, ownSnapshot: boolean): unknown {
  if (typeof value === 'string') {
    if (email === null) return value
    if (fold(value) === email) return null
    const at = value.toLowerCase().indexOf(email)
    return at < 0 ? value : value.split(new RegExp(escape(email), 'gi')).join('[erased]')
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, email, false))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        ownSnapshot && personalKeys.has(key) ? null : redact(item, email, false),
      ]),
    )
  }
  return value
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/**
 * Erases a contact's personal data (GDPR): the contact keeps its id, customer and role but loses
 * every personal field of the catalogue and is archived, so the history still reads "a contact
 * was added, changed, erased" without saying who; the data goes from every history entry that
 * held it (the contact's own snapshots, and any entry naming its email: reminders sent to it),
 * from the reminders sent to it and its bounces, and from every import that held it
 * (imports/personal-data.ts). The erasure is recorded, without the data. A contact already erased
 * is a conflict. `fromSource`: the source erased the person (its own request); no warning then.
 */
export async function eraseContact(
  tx: Tx,
  scope: Scope,
  id: string,
  options: { fromSource?: boolean } = {},
): Promise<ContactErased> {
  const org = scope.organizationId
  const row = await lockAnyContact(tx, org, id)
  const contact = row ?? (await deletedContact(tx, org, id))
  if (!contact) throw notFound('Contact')
  if (contact.erasedAt) {
    throw new AppError(
      'conflict',
      `This contact's personal data was already erased on ${contact.erasedAt.toISOString().slice(0, 10)}.`,
    )
  }
  const email = contact.email === null ? null : fold(contact.email)
  const person = { contactId: id, email: contact.email }

  const holding = await importsHolding(tx, org, person)
  const erasedImports = []
  for (const held of holding) erasedImports.push(await eraseFromImport(tx, held, person))

  const historyEntries = await eraseFromHistory(tx, org, contact, email)
  await eraseFromReminders(tx, org, contact, email)

  const erasedAt = new Date()
  const held = personalFields.filter(
    (f) => contact[camelKey(f.key)] !== null && contact[camelKey(f.key)] !== undefined,
  )
  if (row) {
    await tx
      .update(contacts)
      .set({
        ...Object.fromEntries(personalFields.map((f) => [camelKey(f.key), null])),
        bouncedAt: null,
        bounceReason: null,
        isMain: false,
        archivedAt: contact.archivedAt ?? erasedAt,
        erasedAt,
        updatedAt: erasedAt,
      })
      .where(and(eq(contacts.organizationId, org), eq(contacts.id, id)))
  }

  const warnings: Warning[] = []
  if (contact.sourceConnectionId && !options.fromSource) {
    const [source] = await tx
      .select({ system: connections.system, name: connections.name })
      .from(connections)
      .where(
        and(eq(connections.organizationId, org), eq(connections.id, contact.sourceConnectionId)),
      )
    if (source) {
      warnings.push({
        field: 'source',
        message: `This person came from ${systemNames[source.system]} ("${source.name}"): erase them there too, or its next sync brings them back.`,
      })
    }
  }
  const result: ContactErased = {
    id,
    customerId: contact.customerId,
    erasedAt: erasedAt.toISOString(),
    fields: held.map((f) => f.key),
    historyEntries,
    imports: erasedImports.filter((i) => i.lines.length > 0 || i.fileDeleted),
    warnings,
  }
  await recordAudit(tx, scope, {
    entity: 'contact',
    entityId: id,
    customerId: contact.customerId,
    action: 'erase',
    before: null,
    after: {
      fields: result.fields,
      historyEntries,
      imports: result.imports.map((i) => ({
        id: i.id,
        lines: i.lines.length,
        fileDeleted: i.fileDeleted,
      })),
      ...(options.fromSource ? { bySource: true } : {}),
    },
  })
  // This process's copy of a deleted file; other processes' copies are in their temporary
  // folder, named by the file's hash, and go with it.
  for (const held of holding) {
    if (result.imports.some((i) => i.id === held.row.id && i.fileDeleted)) {
      await forgetLocalCopy(held.row.fileSha256)
    }
  }
  return result
}

type ErasableContact = Pick<
  ContactRow,
  'id' | 'customerId' | 'email' | 'sourceConnectionId' | 'archivedAt' | 'erasedAt'
> &
  Partial<ContactRow>

/**
 * A contact deleted from Roster whose history still holds it: as its last snapshot had it (the
 * deletion's `before`), erased when an erasure of it is in the history.
 */
async function deletedContact(
  tx: Tx,
  org: string,
  id: string,
): Promise<ErasableContact | undefined> {
  const events = await tx
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.organizationId, org),
        eq(auditEvents.entity, 'contact'),
        eq(auditEvents.entityId, id),
      ),
    )
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
  const latest = events[0]
  if (!latest?.customerId) return undefined
  const erasure = events.find((event) => event.action === 'erase')
  const snapshot = events.map((event) => event.before ?? event.after).find(Boolean) ?? {}
  const values = Object.fromEntries(
    personalFields.map((f) => {
      const value = snapshot[f.key]
      return [f.key, typeof value === 'string' ? value : null]
    }),
  ) as Partial<ContactRow>
  return {
    ...values,
    id,
    customerId: latest.customerId,
    email: values.email ?? null,
    sourceConnectionId: null,
    archivedAt: null,
    erasedAt: erasure?.at ?? null,
  }
}

/** The contact's field of a catalogue key (they are the same: see contactCatalogue). */
const camelKey = (key: string): keyof ContactRow & keyof typeof contactCatalogue =>
  key as keyof ContactRow & keyof typeof contactCatalogue

/** Rewrites the history entries that hold the person; returns how many. */
async function eraseFromHistory(
  tx: Tx,
  org: string,
  contact: ErasableContact,
  email: string | null,
): Promise<number> {
  const own = and(eq(auditEvents.entity, 'contact'), eq(auditEvents.entityId, contact.id))
  const naming =
    email === null
      ? sql`false`
      : sql`(${auditEvents.before}::text ilike ${likePattern(email)} or ${auditEvents.after}::text ilike ${likePattern(email)})`
  const rows = await tx
    .select({
      id: auditEvents.id,
      entity: auditEvents.entity,
      entityId: auditEvents.entityId,
      before: auditEvents.before,
      after: auditEvents.after,
    })
    .from(auditEvents)
    .where(and(eq(auditEvents.organizationId, org), or(own, naming)))
  for (const row of rows) {
    const ownSnapshot = row.entity === 'contact' && row.entityId === contact.id
    await tx
      .update(auditEvents)
      .set({
        before: redact(row.before, email, ownSnapshot) as Record<string, unknown> | null,
        after: redact(row.after, email, ownSnapshot) as Record<string, unknown> | null,
      })
      .where(and(eq(auditEvents.organizationId, org), eq(auditEvents.id, row.id)))
  }
  return rows.length
}

/** The reminders sent to the person keep their step and subject, not their address. */
async function eraseFromReminders(
  tx: Tx,
  org: string,
  contact: ErasableContact,
  email: string | null,
): Promise<void> {
  if (email === null) return
  const sent = await tx
    .select({ id: reminders.id, to: reminders.to, cc: reminders.cc, body: reminders.body })
    .from(reminders)
    .where(
      and(
        eq(reminders.organizationId, org),
        eq(reminders.customerId, contact.customerId),
        sql`(${reminders.to}::text ilike ${likePattern(email)} or ${reminders.cc}::text ilike ${likePattern(email)})`,
      ),
    )
  const address = (list: { contactId: string | null; email: string }[]) =>
    list.map((a) => (fold(a.email) === email ? { contactId: a.contactId, email: '[erased]' } : a))
  for (const reminder of sent) {
    await tx
      .update(reminders)
      .set({
        to: address(reminder.to),
        cc: address(reminder.cc),
        body: redact(reminder.body, email, false) as string,
      })
      .where(and(eq(reminders.organizationId, org), eq(reminders.id, reminder.id)))
  }
  await tx
    .delete(reminderBounces)
    .where(
      and(eq(reminderBounces.organizationId, org), sql`lower(${reminderBounces.email}) = ${email}`),
    )
}

/**
 * One contact's personal data as Roster holds it (GDPR access request): the contact, archived or
 * not, its history entries and those naming its email, and the import lines that mention it.
 */
export async function personalDataOf(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<PersonalData> {
  const [found] = await db
    .select({ contact: contacts, customerName: customers.name, system: connections.system })
    .from(contacts)
    .innerJoin(
      customers,
      and(
        eq(customers.organizationId, contacts.organizationId),
        eq(customers.id, contacts.customerId),
      ),
    )
    .leftJoin(
      connections,
      and(
        eq(connections.organizationId, contacts.organizationId),
        eq(connections.id, contacts.sourceConnectionId),
      ),
    )
    .where(and(eq(contacts.organizationId, organizationId), eq(contacts.id, id)))
  if (!found) throw notFound('Contact')
  const c = found.contact
  const email = c.email === null ? null : fold(c.email)
  const history = await db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.organizationId, organizationId),
        or(
          and(eq(auditEvents.entity, 'contact'), eq(auditEvents.entityId, id)),
          email === null
            ? sql`false`
            : sql`(${auditEvents.before}::text ilike ${likePattern(email)} or ${auditEvents.after}::text ilike ${likePattern(email)})`,
        ),
      ),
    )
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
  const holding = await importsHolding(db, organizationId, { contactId: id, email: c.email })
  return {
    exportedAt: new Date().toISOString(),
    contact: {
      id: c.id,
      customer: { id: c.customerId, name: found.customerName },
      customerId: c.customerId,
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      phone: c.phone,
      externalId: c.externalId,
      role: c.role,
      jobTitle: c.jobTitle,
      emailOptedOut: c.emailOptedOut,
      isMain: c.isMain,
      source: found.system ?? 'roster',
      bouncedAt: c.bouncedAt?.toISOString() ?? null,
      bounceReason: c.bounceReason,
      doNotRemind: c.doNotRemind,
      archivedAt: c.archivedAt?.toISOString() ?? null,
      erasedAt: c.erasedAt?.toISOString() ?? null,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    },
    history: history.map((row) => ({
      id: row.id,
      entity: row.entity,
      entityId: row.entityId,
      action: row.action,
      actor: { kind: row.actorKind, id: row.actorId, label: row.actorLabel },
      at: row.at.toISOString(),
      before: row.before,
      after: row.after,
    })),
    imports: holding
      .filter((h) => h.lines.length > 0)
      .map((h) => ({
        id: h.row.id,
        fileName: h.row.fileName,
        createdAt: h.row.createdAt.toISOString(),
        columns: h.row.columns,
        lines: h.lines,
      })),
  }
}
