import {
  contact,
  contactWritten,
  type Contact,
  type ContactCreate,
  type ContactPatch,
  type ContactRole,
} from '@contracts/contacts.ts'
import { z } from 'zod'
import { api } from '../../../platform/api.ts'

export type { Contact, ContactCreate, ContactPatch, ContactRole }
export type ContactWritten = z.infer<typeof contactWritten>

export const fetchContacts = async (customerId: string): Promise<Contact[]> =>
  (await api(`/customers/${customerId}/contacts`, { schema: z.object({ data: z.array(contact) }) }))
    .data

export const createContact = (customerId: string, input: ContactCreate): Promise<ContactWritten> =>
  api(`/customers/${customerId}/contacts`, { method: 'POST', body: input, schema: contactWritten })

export const updateContact = (id: string, patch: ContactPatch): Promise<ContactWritten> =>
  api(`/contacts/${id}`, { method: 'PATCH', body: patch, schema: contactWritten })

/** Stops (true) or resumes (false) sending reminders to a contact. */
export const setDoNotRemind = async (id: string, doNotRemind: boolean): Promise<void> => {
  await api(`/contacts/${id}/do-not-remind`, { method: 'PUT', body: { doNotRemind } })
}

export const deleteContact = async (id: string): Promise<void> => {
  await api(`/contacts/${id}`, { method: 'DELETE' })
}
