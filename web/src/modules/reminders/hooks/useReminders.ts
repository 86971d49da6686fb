import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { customersKey } from '../../customers/hooks/useCustomers.ts'
import { fetchDraft, sendReminder, type ReminderCreate } from '../api/reminders.ts'

export const useReminderDraft = (customerId: string, stepId: string | null) =>
  useQuery({
    // Outside the customers' keys: sending refreshes those, and must not replace the draft being
    // edited; the dialog is unmounted when closed, so the next one starts afresh.
    queryKey: ['reminder-draft', customerId, stepId] as const,
    queryFn: () => fetchDraft(customerId, stepId ?? ''),
    enabled: stepId !== null,
    // The member edits the draft: it is not refreshed under their hands.
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
  })

/** Sends a reminder; the customer's contacts and history refresh (a contact may be new). */
export function useSendReminder(customerId: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: ReminderCreate) => sendReminder(customerId, input),
    meta: { ownErrors: true },
    onSuccess: () => client.invalidateQueries({ queryKey: customersKey }),
  })
}
