import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Contact } from '../../contracts/contacts.ts'
import { contactCatalogue, readAsIs } from '../../contracts/fields.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { connections, contacts, customers, organizations } from '../../platform/db/schema/index.ts'
import { contactOwner, contactSourceOf } from '../sources/ownership.ts'
import { isPhoneKeptAsTyped } from './phone.ts'

const contactSources = alias(connections, 'contact_sources')

/** Contacts as the API shows them, with what owns them (the organisation's contact source). */
function selectContacts(db: DbOrTx) {
  return db
    .select({
      contact: contacts,
      sourceSystem: connections.system,
      customerSourceConnectionId: customers.sourceConnectionId,
      customerContactsConnectionId: customers.contactsConnectionId,
      contactsDisconnectedAt: organizations.contactsDisconnectedAt,
      contactSourceConnectionId: organizations.contactSourceConnectionId,
      contactSourceSystem: contactSources.system,
    })
    .from(contacts)
    .innerJoin(organizations, eq(organizations.id, contacts.organizationId))
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
    .leftJoin(
      contactSources,
      and(
        eq(contactSources.organizationId, organizations.id),
        eq(contactSources.id, organizations.contactSourceConnectionId),
      ),
    )
}

type ContactSelection = Awaited<ReturnType<typeof selectContacts>>[number]

/** The fields read as their column holds them (the catalogue's). */
const readFields = readAsIs(contactCatalogue)
type ReadField = Exclude<
  Extract<keyof Contact, keyof ContactSelection['contact']>,
  'id' | 'createdAt' | 'updatedAt'
>
const toContact = (row: ContactSelection): Contact => {
  const c = row.contact
  return {
    id: c.id,
    ...(Object.fromEntries(readFields.map((key) => [key, c[key as keyof typeof c]])) as Pick<
      Contact,
      ReadField
    >),
    source: row.sourceSystem ?? 'roster',
    lockedBy: contactOwner(
      contactSourceOf(row),
      {
        sourceConnectionId: row.customerSourceConnectionId,
        contactsConnectionId: row.customerContactsConnectionId,
      },
      c,
    ),
    phoneKeptAsTyped: isPhoneKeptAsTyped(c.phone),
    bouncedAt: c.bouncedAt?.toISOString() ?? null,
    bounceReason: c.bounceReason,
    doNotRemind: c.doNotRemind,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  }
}

const live = (organizationId: string) =>
  and(eq(contacts.organizationId, organizationId), isNull(contacts.archivedAt))

/** A customer's contacts, main contact first. */
export async function listContacts(
  db: DbOrTx,
  organizationId: string,
  customerId: string,
): Promise<Contact[]> {
  const rows = await selectContacts(db)
    .where(and(live(organizationId), eq(contacts.customerId, customerId)))
    .orderBy(sql`${contacts.isMain} desc`, asc(sql`lower(${contacts.email})`))
  return rows.map(toContact)
}

/** The contacts of several customers at once, grouped by customer, main contact first. */
export async function contactsByCustomer(
  db: DbOrTx,
  organizationId: string,
  customerIds: string[],
): Promise<Map<string, Contact[]>> {
  const grouped = new Map<string, Contact[]>()
  if (customerIds.length === 0) return grouped
  const rows = await selectContacts(db)
    .where(and(live(organizationId), inArray(contacts.customerId, customerIds)))
    .orderBy(sql`${contacts.isMain} desc`, asc(sql`lower(${contacts.email})`))
  for (const row of rows) {
    const contact = toContact(row)
    const list = grouped.get(contact.customerId)
    if (list) list.push(contact)
    else grouped.set(contact.customerId, [contact])
  }
  return grouped
}

export async function findContact(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<Contact | undefined> {
  const [row] = await selectContacts(db).where(and(live(organizationId), eq(contacts.id, id)))
  return row && toContact(row)
}

/** A contact and the connection that brought it (which the API does not show), or undefined. */
export async function findContactWithSource(
  db: DbOrTx,
  organizationId: string,
  id: string,
): Promise<{ contact: Contact; sourceConnectionId: string | null } | undefined> {
  const [row] = await selectContacts(db).where(and(live(organizationId), eq(contacts.id, id)))
  return row && { contact: toContact(row), sourceConnectionId: row.contact.sourceConnectionId }
}
