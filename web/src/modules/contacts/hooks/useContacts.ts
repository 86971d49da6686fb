import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { notifySaved } from '../../../platform/notify.ts'
import { customersKey } from '../../customers/hooks/useCustomers.ts'
import {
  createContact,
  deleteContact,
  eraseContact,
  fetchContacts,
  setDoNotRemind,
  updateContact,
  type ContactCreate,
  type ContactPatch,
} from '../api/contacts.ts'

const contactsKey = (customerId: string) => [...customersKey, 'contacts', customerId] as const

export const useContacts = (customerId: string) =>
  useQuery({ queryKey: contactsKey(customerId), queryFn: () => fetchContacts(customerId) })

/** Adding, changing and deleting a customer's contacts; the customer (main contact) refreshes too. */
export function useContactWrites(customerId: string) {
  const client = useQueryClient()
  const refresh = () => client.invalidateQueries({ queryKey: customersKey })
  const create = useMutation({
    mutationFn: (input: ContactCreate) => createContact(customerId, input),
    meta: { ownErrors: true },
    onSuccess: (saved) => {
      notifySaved(`${saved.email} added.`, saved.warnings)
      return refresh()
    },
  })
  const save = {
    mutationFn: ({ id, patch }: { id: string; patch: ContactPatch }) => updateContact(id, patch),
    onSuccess: (saved: Awaited<ReturnType<typeof updateContact>>) => {
      notifySaved(`${saved.email} saved.`, saved.warnings)
      return refresh()
    },
  }
  // `edit` is the form's, which shows errors on its fields; `update` is a one-click change.
  const edit = useMutation({ ...save, meta: { ownErrors: true } })
  const update = useMutation(save)
  const remove = useMutation({
    mutationFn: (contact: { id: string; email: string | null }) => deleteContact(contact.id),
    onSuccess: (_done, contact) => {
      notifySaved(`${contact.email ?? 'The contact'} deleted.`)
      return refresh()
    },
  })
  const remind = useMutation({
    mutationFn: (change: { id: string; email: string; doNotRemind: boolean }) =>
      setDoNotRemind(change.id, change.doNotRemind),
    onSuccess: (_done, change) => {
      notifySaved(
        change.doNotRemind
          ? `${change.email} will receive no reminders.`
          : `${change.email} receives reminders again.`,
      )
      return refresh()
    },
  })
  const erase = useMutation({
    mutationFn: (id: string) => eraseContact(id),
    // The message does not name the person: their data is what was just erased.
    onSuccess: (erased) => {
      const files = erased.imports.filter((i) => i.fileDeleted).length
      notifySaved(
        `The contact's personal data was erased${
          files > 0
            ? `, and ${files === 1 ? 'one imported file' : `${files} imported files`} holding it deleted`
            : ''
        }.`,
        erased.warnings,
      )
      return refresh()
    },
  })
  return { create, edit, update, remove, remind, erase }
}
