import {
  contact,
  contactErased,
  contactWritten,
  personalData,
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

export type ContactErased = z.infer<typeof contactErased>

/** Erases the contact's personal data everywhere Roster holds it (GDPR; admins). */
export const eraseContact = (id: string): Promise<ContactErased> =>
  api(`/contacts/${id}/erase`, { method: 'POST', body: {}, schema: contactErased })

/** Everything Roster holds about the contact, saved as a JSON file (GDPR access request). */
export async function downloadPersonalData(id: string): Promise<void> {
  const data = await api(`/contacts/${id}/personal-data`, { schema: personalData })
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' })
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = `contact-${id}.json`
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
